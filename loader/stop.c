// SPDX-License-Identifier: MIT
/* Stop without booting; see stop.h. */
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "io.h"
#include "stop.h"

#define ISA_DEBUG_EXIT_PORT 0xf4u

static bool debug_exit_enabled;

void stop_set_debug_exit(bool on)
{
	debug_exit_enabled = on;
}

_Noreturn void loader_stop(enum loader_stop_code code, const char *why)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "STOP: ");
	lugate_fmt_str(&l.f, why);
	lugate_fmt_str(&l.f, " (nothing was booted; stop code 0x");
	lugate_fmt_hex(&l.f, (uint64_t)code, 2);
	lugate_fmt_char(&l.f, ')');
	log_emit(&l);
	if (debug_exit_enabled)
		outl(ISA_DEBUG_EXIT_PORT, (uint32_t)code);
	cpu_halt_forever();
}
