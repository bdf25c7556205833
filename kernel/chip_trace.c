// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The trace events of chip_trace.h, instantiated here.
 */
#define CREATE_TRACE_POINTS
#include "chip_trace.h"
