/* pcemu: a PC emulator with a QEMU-compatible command line. */
#include "softmmu/vl.h"

int main(int argc, char **argv)
{
    return pcemu_main(argc, argv);
}
