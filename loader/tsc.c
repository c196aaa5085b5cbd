// SPDX-License-Identifier: MIT
/* The loader's phase split by TSC; see tsc.h. */
#include <string.h>
#include "../boot/log.h"
#include "tsc.h"

static const char *const phase_names[TSC_PHASES] = {
	[TSC_PARSE] = "parse",
	[TSC_POLICY] = "policy",
	[TSC_HASH] = "hash",
	[TSC_RELOCATE] = "relocate",
};

void tsc_start(struct tsc_split *s, uint64_t entry)
{
	memset(s, 0, sizeof(*s));
	s->entry = entry ? entry : tsc_read();
	s->mark = s->entry;
}

void tsc_lap(struct tsc_split *s, enum tsc_phase p)
{
	uint64_t now = tsc_read();

	if (now > s->mark) {      /* one CPU: monotonic; never count a step backwards */
		s->cycles[p] += now - s->mark;
		s->mark = now;
	}
}

void tsc_move(struct tsc_split *s, enum tsc_phase from, enum tsc_phase to, uint64_t cycles)
{
	if (cycles > s->cycles[from])
		cycles = s->cycles[from];
	s->cycles[from] -= cycles;
	s->cycles[to] += cycles;
}

void tsc_finish(struct tsc_split *s, enum tsc_phase last)
{
	struct log_line l;

	tsc_lap(s, last);
	log_start(&l);
	lugate_fmt_str(&l.f, "tsc");
	for (int p = 0; p < TSC_PHASES; p++) {
		lugate_fmt_char(&l.f, ' ');
		lugate_fmt_str(&l.f, phase_names[p]);
		lugate_fmt_char(&l.f, '=');
		lugate_fmt_udec(&l.f, s->cycles[p]);
	}
	lugate_fmt_str(&l.f, " total=");
	lugate_fmt_udec(&l.f, s->mark - s->entry);
	log_emit(&l);
}
