/* SPDX-License-Identifier: MIT */
/*
 * lugate.stop=, the loader's command-line option that says what it does when it boots nothing
 * (docs/loader.md, "When the loader stops"): reboot[:SECONDS] or halt. `lugate load --on-stop`
 * writes it and the loader reads it, so its bounds are one definition both include.
 */
#ifndef LUGATE_STOP_H
#define LUGATE_STOP_H

/* The default is long enough to read the serial line (or a photo of the screen), short enough
 * that a host is back before anyone is paged; the maximum keeps the value an obvious number. */
#define STOP_DEFAULT_SECONDS 10u
#define STOP_MAX_SECONDS 3600u

#endif
