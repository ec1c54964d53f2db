// SPDX-License-Identifier: GPL-2.0
/*
 * Names of device and CPU states (RTVIRT_DEV_*, RTVIRT_CPU_*), as shown in
 * sysfs and by rtvirtctl.
 */
#include <rtvirt/common.h>
#include <linux/rtvirt.h>

static const char *const device_states[] = {
	[RTVIRT_DEV_NATIVE] = "native",
	[RTVIRT_DEV_VIRTUALIZING] = "virtualizing",
	[RTVIRT_DEV_VIRTUALIZED] = "virtualized",
	[RTVIRT_DEV_DEVIRTUALIZING] = "devirtualizing",
};

static const char *const cpu_states[] = {
	[RTVIRT_CPU_NATIVE] = "native",
	[RTVIRT_CPU_GUEST] = "guest",
	[RTVIRT_CPU_OFFLINE] = "offline",
	[RTVIRT_CPU_NO_ANSWER] = "no-answer",
};

/**
 * rtvirt_device_state_name() - name of a device state
 * @state:	RTVIRT_DEV_* value
 *
 * Return: the name, or NULL for an unknown value.
 */
const char *rtvirt_device_state_name(u32 state)
{
	return state < sizeof(device_states) / sizeof(device_states[0]) ?
	       device_states[state] : NULL;
}

/**
 * rtvirt_cpu_state_name() - name of a CPU's late-launch state
 * @state:	RTVIRT_CPU_* value
 *
 * Return: the name, or NULL for an unknown value.
 */
const char *rtvirt_cpu_state_name(u32 state)
{
	return state < sizeof(cpu_states) / sizeof(cpu_states[0]) ?
	       cpu_states[state] : NULL;
}
