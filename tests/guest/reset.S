/*
 * The reset vector, placed at image offset 0xfff0 by guest.ld: the CPU
 * starts here at f000:fff0 with CS.base 0xffff0000 and the far jump
 * moves it to the image's alias below 1 MiB. Every program defines
 * `start` (16-bit code).
 */
#include "guest.h"

    .code16
    .section .reset, "ax"
    .globl reset_vector
reset_vector:
    ljmp $ROM_SEG, $start
