/*
 * The Motorola MC146818A real-time clock and its 128 bytes of CMOS RAM
 * at ports 70h-71h, ISA IRQ 8: device type "mc146818rtc". The board
 * writes the CMOS bytes firmware reads (memory sizes, boot order, CPU
 * count).
 *
 * All functions run under the BQL.
 */
#ifndef HW_TIMER_MC146818RTC_H
#define HW_TIMER_MC146818RTC_H

#include "hw/core/device.h"

/* CMOS byte addr (0-127) as the guest would write it at port 71h (time
 * registers set the clock; 0Ch and 0Dh are read-only). Values survive
 * system reset, like battery-backed NVRAM. */
void rtc_set_cmos(Device *rtc, int addr, uint8_t val);
/* CMOS byte addr (0-127) as the guest would read it, without the read's
 * side effects (reading register C here does not clear its flags). */
uint8_t rtc_get_cmos(Device *rtc, int addr);

#endif
