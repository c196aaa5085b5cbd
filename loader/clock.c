// SPDX-License-Identifier: MIT
/* The TSC's frequency and a wait on it; see clock.h. */
#include "clock.h"
#include "io.h"
#include "tsc.h"

#define PIT_HZ 1193182u              /* the 8254's input clock */
#define PIT_CH2_DATA 0x42u
#define PIT_COMMAND 0x43u
#define PIT_CH2_GATE_PORT 0x61u      /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 out */
#define PIT_CALIBRATE_MS 50u
#define PIT_POLL_LIMIT 2000000u      /* >= 100 ms of port reads anywhere: a missing PIT gives up */
#define HZ_MIN 100000000ull          /* 100 MHz: below that the measure is wrong, not the CPU */
#define HZ_MAX 20000000000ull

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static uint64_t plausible(uint64_t hz)
{
	return hz >= HZ_MIN && hz <= HZ_MAX ? hz : 0;
}

/* TSC cycles during PIT_CALIBRATE_MS of PIT channel 2 counting down once (mode 0); 0: no PIT. */
static uint64_t pit_calibrate(void)
{
	const uint32_t count = PIT_HZ * PIT_CALIBRATE_MS / 1000u;
	uint8_t gate = inb(PIT_CH2_GATE_PORT);
	uint64_t t0, t1;
	uint32_t i;

	outb(PIT_CH2_GATE_PORT, (uint8_t)((gate & ~0x02u) | 0x01u));   /* gate on, speaker off */
	outb(PIT_COMMAND, 0xb0);     /* channel 2, low then high byte, mode 0, binary */
	outb(PIT_CH2_DATA, (uint8_t)count);
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	t0 = tsc_read();
	for (i = 0; i < PIT_POLL_LIMIT; i++)
		if (inb(PIT_CH2_GATE_PORT) & 0x20u)
			break;
	t1 = tsc_read();
	outb(PIT_CH2_GATE_PORT, gate);
	if (i == PIT_POLL_LIMIT || t1 <= t0)
		return 0;
	return plausible((t1 - t0) * (1000u / PIT_CALIBRATE_MS));
}

uint64_t clock_tsc_hz(const char **source)
{
	uint32_t max, a, b, c, d;
	uint64_t hz;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, &a, &b, &c, &d);   /* TSC = crystal (ECX Hz) * EBX / EAX */
		hz = a && b && c ? plausible((uint64_t)c * b / a) : 0;
		if (hz) {
			*source = "CPUID 0x15";
			return hz;
		}
	}
	hz = pit_calibrate();
	if (hz) {
		*source = "PIT";
		return hz;
	}
	if (max >= 0x16) {
		cpuid(0x16, &a, &b, &c, &d);   /* EAX[15:0]: base frequency in MHz */
		hz = plausible((uint64_t)(a & 0xffffu) * 1000000u);
		if (hz) {
			*source = "CPUID 0x16";
			return hz;
		}
	}
	*source = "none";
	return 0;
}

void clock_wait_us(uint64_t hz, uint64_t us)
{
	uint64_t start = tsc_read();
	uint64_t cycles = hz / 1000000u * us;   /* hz <= HZ_MAX or CLOCK_ASSUMED_HZ, us <= 1 h: no overflow */

	while (tsc_read() - start < cycles)
		__asm__ volatile("pause");
}
