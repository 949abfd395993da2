/*
 * MC146818 RTC/CMOS: the board writes the CMOS bytes firmware reads
 * (memory sizes, boot order, CPU count).
 */
#ifndef HW_TIMER_MC146818RTC_H
#define HW_TIMER_MC146818RTC_H

#include "hw/core/device.h"

/* addr 0-127; values survive system reset, like battery-backed NVRAM. */
void rtc_set_cmos(Device *rtc, int addr, uint8_t val);
uint8_t rtc_get_cmos(Device *rtc, int addr);

#endif
