// SPDX-License-Identifier: MIT
/* Stop without booting; see loader_stop.h. */
#include <lugate/fmt.h>
#include "../boot/log.h"
#include "clock.h"
#include "options.h"
#include "../boot/console.h"
#include "cpu.h"
#include "entry/phys.h"
#include "io.h"
#include "loader.h"
#include "reset.h"
#include "loader_stop.h"

#define ISA_DEBUG_EXIT_PORT 0xf4u
#define CF9_PORT 0xcf9u
#define CF9_SYS_RST 0x02u            /* reset type: the next write with RST_CPU resets the system */
#define CF9_RST_CPU 0x04u
#define CF9_FULL_RST 0x08u           /* a full (cold) reset, as Linux's default reboot does */
#define KBC_STATUS 0x64u
#define KBC_INPUT_FULL 0x02u
#define KBC_PULSE_RESET 0xfeu
#define SETTLE_US 500000u            /* what each method gets before the next is tried */

static struct stop_policy policy = { true, STOP_DEFAULT_SECONDS };
static bool configured, debug_exit_enabled;
static unsigned stops;               /* loader_stop entries: a second one came from the reset path */
static struct reset_state reset;
static uint64_t tsc_hz = CLOCK_ASSUMED_HZ;

void stop_configure(bool debug_exit, const struct stop_policy *p)
{
	debug_exit_enabled = debug_exit;
	if (p)
		policy = *p;
	configured = true;
}

static void log_policy_word(struct log_line *l)
{
	if (policy.reboot) {
		lugate_fmt_str(&l->f, "lugate.stop=reboot:");
		lugate_fmt_udec(&l->f, policy.seconds);
	} else {
		lugate_fmt_str(&l->f, "lugate.stop=halt");
	}
}

static void log_bad_stop(const char *word)
{
	struct log_line l;

	log_start(&l);
	lugate_fmt_str(&l.f, "ignoring ");
	lugate_fmt_str(&l.f, word);
	lugate_fmt_str(&l.f, ": not reboot, reboot:SECONDS (0-3600) or halt; a stop will use ");
	log_policy_word(&l);
	log_emit(&l);
}

/* A stop before loader_run read the command line: read lugate.* from the entry's copy. */
static void configure_from_info(void)
{
	const struct loader_boot_info *info = loader_info_current();
	struct loader_options o = { 0 };

	configured = true;
	if (!info)
		return;
	(void)cmdline_split(info->cmdline, NULL, 0, &o);
	debug_exit_enabled = o.debug_exit;
	if (o.stop_given)
		policy = o.stop;
	if (o.stop_bad)
		log_bad_stop(o.bad_stop);
}

/* ---- the hardware side of reset.h ---------------------------------------------------------- */

/* Only what the entry's identity map covers is read (or written, for a memory reset register). */
static const void *acpi_map(void *ctx, uint64_t addr, uint64_t size)
{
	const struct loader_boot_info *info = ctx;
	uint64_t limit = info ? info->map_limit : 0;

	if (addr >= limit || size > limit - addr)
		return NULL;
	return phys_ptr(addr);
}

static const char *find_acpi(void *ctx, struct acpi_reset *r)
{
	const struct loader_boot_info *info = ctx;
	struct acpi_mem m = { acpi_map, ctx };
	uint64_t at = 0;
	const char *why;

	if (!info || !info->map_limit)
		return "the identity map is not known yet";
	why = acpi_find_reset(&m, info->rsdp, info->rsdp_max, r, &at);
	if (!why)
		log_hex("ACPI: RSDP at ", at);
	return why;
}

static void announce(void *ctx, enum reset_method m, const struct acpi_reset *r, const char *skip_why)
{
	static const char *const names[RESET_METHODS] = {
		[RESET_ACPI] = "ACPI", [RESET_CF9] = "CF9", [RESET_KBC] = "KBC", [RESET_TRIPLE] = "triple fault",
	};
	struct log_line l;

	(void)ctx;
	log_start(&l);
	if (skip_why) {
		lugate_fmt_str(&l.f, "no ACPI reset: ");
		lugate_fmt_str(&l.f, skip_why);
		log_emit(&l);
		return;
	}
	lugate_fmt_str(&l.f, "resetting via ");
	lugate_fmt_str(&l.f, names[m]);
	if (r) {
		lugate_fmt_str(&l.f, r->space == ACPI_SPACE_IO ? " (I/O port 0x" : " (memory 0x");
		lugate_fmt_hex(&l.f, r->addr, 0);
		lugate_fmt_str(&l.f, " <- 0x");
		lugate_fmt_hex(&l.f, r->value, 2);
		lugate_fmt_char(&l.f, ')');
	}
	log_emit(&l);
}

static void attempt(void *ctx, enum reset_method m, const struct acpi_reset *r)
{
	(void)ctx;
	switch (m) {
	case RESET_ACPI:
		if (r->space == ACPI_SPACE_IO)
			outb((uint16_t)r->addr, r->value);
		else
			*(volatile uint8_t *)(uintptr_t)phys_ptr(r->addr) = r->value;
		break;
	case RESET_CF9: {
		uint8_t v = (uint8_t)(inb(CF9_PORT) & ~(CF9_SYS_RST | CF9_RST_CPU | CF9_FULL_RST));

		outb(CF9_PORT, (uint8_t)(v | CF9_SYS_RST));
		clock_wait_us(tsc_hz, 50);
		outb(CF9_PORT, (uint8_t)(v | CF9_SYS_RST | CF9_RST_CPU | CF9_FULL_RST));
		break;
	}
	case RESET_KBC:
		for (unsigned tries = 0; tries < 10; tries++) {
			for (unsigned i = 0; i < 0x10000u && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
				clock_wait_us(tsc_hz, 2);
			outb(KBC_STATUS, KBC_PULSE_RESET);
			clock_wait_us(tsc_hz, 50);
		}
		break;
	case RESET_TRIPLE:
		/* No gate can be read from an empty IDT: #BP -> #GP -> #DF -> shutdown, which
		 * the board turns into a reset. */
		cpu_load_idt(NULL, 0);
		__asm__ volatile("int3; ud2");
		break;
	case RESET_METHODS:
	default:
		break;
	}
}

static void settle(void *ctx)
{
	(void)ctx;
	clock_wait_us(tsc_hz, SETTLE_US);
}

static _Noreturn void reset_machine(void)
{
	const struct reset_hw hw = { find_acpi, announce, attempt, settle, (void *)loader_info_current() };

	reset_sequence(&reset, &hw);
	log_str("no reset method worked: halting");
	cpu_halt_forever();
}

static void wait_before_reset(void)
{
	struct log_line l;
	const char *source;
	uint64_t hz = clock_tsc_hz(&source);

	log_start(&l);
	if (hz) {
		tsc_hz = hz;
		lugate_fmt_str(&l.f, "TSC at ");
		lugate_fmt_udec(&l.f, hz / 1000000u);
		lugate_fmt_str(&l.f, " MHz (");
		lugate_fmt_str(&l.f, source);
		lugate_fmt_char(&l.f, ')');
	} else {
		lugate_fmt_str(&l.f, "no clock to measure the TSC by: assuming ");
		lugate_fmt_udec(&l.f, CLOCK_ASSUMED_HZ / 1000000u);
		lugate_fmt_str(&l.f, " MHz, so the wait is no shorter than asked");
	}
	log_emit(&l);
	clock_wait_us(tsc_hz, (uint64_t)policy.seconds * 1000000u);
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
	if (stops++) {   /* a fault on the way to a reset (exception.c): on with the next method */
		if (!policy.reboot)
			cpu_halt_forever();
		reset_machine();
	}
	if (!configured)
		configure_from_info();
	if (debug_exit_enabled)
		outl(ISA_DEBUG_EXIT_PORT, (uint32_t)code);
	log_start(&l);
	if (!policy.reboot) {
		lugate_fmt_str(&l.f, "halting (lugate.stop=halt): the machine stays down until it is reset");
		log_emit(&l);
		cpu_halt_forever();
	}
	lugate_fmt_str(&l.f, "rebooting in ");
	lugate_fmt_udec(&l.f, policy.seconds);
	lugate_fmt_str(&l.f, " s (");
	log_policy_word(&l);
	lugate_fmt_char(&l.f, ')');
	log_emit(&l);
	wait_before_reset();
	reset_machine();
}
