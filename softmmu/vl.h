/*
 * The emulator's entry point: parses the command line, builds the
 * machine, runs it; returns the process exit status.
 */
#ifndef SOFTMMU_VL_H
#define SOFTMMU_VL_H

int pcemu_main(int argc, char **argv);

#endif
