/*
 * Every device type pcemu knows, in one explicit list: -device help,
 * device_type_find() and the tests read it. Add a type here when you add
 * its file.
 */
#include "hw/core/device.h"


const DeviceType *const device_types[] = {
    NULL
};
