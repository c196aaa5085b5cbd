// SPDX-License-Identifier: MIT
/* The order of the reset methods; see reset.h. Free of hardware (the host tests link it). */
#include <stddef.h>
#include "reset.h"

void reset_sequence(struct reset_state *s, const struct reset_hw *hw)
{
	while (s->next < RESET_METHODS) {
		enum reset_method m = (enum reset_method)s->next++;   /* advanced first: a fault moves on */

		if (m == RESET_ACPI) {
			const char *why = hw->find_acpi(hw->ctx, &s->acpi);

			if (why) {
				hw->announce(hw->ctx, m, NULL, why);
				continue;
			}
		}
		hw->announce(hw->ctx, m, m == RESET_ACPI ? &s->acpi : NULL, NULL);
		hw->attempt(hw->ctx, m, &s->acpi);
		hw->settle(hw->ctx);
	}
}
