/* SPDX-License-Identifier: MIT */
/*
 * Kernel release strings and the version-path policy (docs/policy.md).
 *
 * release := MAJOR "." MINOR "." PATCH [ "-rc" N ] [ "+" LOCAL ] [ "-" ABI ] [ "-" FLAVOUR ]
 *   ABI is all digits and is followed by "-" or the end; FLAVOUR is the rest
 *   ("amd64", "cloud-amd64", "lu1"). At most LUGATE_RELEASE_MAX characters.
 */
#ifndef LUGATE_POLICY_H
#define LUGATE_POLICY_H

#include <lugate/types.h>

struct lugate_release {
	uint32_t major, minor, patch;
	uint32_t rc;                 /* 0: not a release candidate */
	uint32_t abi;                /* valid if has_abi */
	bool has_abi;
	uint8_t local_len;           /* "+LOCAL" (without '+'), e.g. "deb13" */
	uint8_t flavour_len;
	char local[LUGATE_RELEASE_MAX + 1];
	char flavour[LUGATE_RELEASE_MAX + 1];
};

int lugate_release_parse(const char *text, size_t len, struct lugate_release *out);
/* Order by (major, minor, patch, abi, rc; a final release sorts after its rcs). */
int lugate_release_cmp(const struct lugate_release *a, const struct lugate_release *b);

enum lugate_path {
	LUGATE_PATH_NONE = 0,
	LUGATE_PATH_SAME = 1u << 0,
	LUGATE_PATH_STABLE_NEXT = 1u << 1,
	LUGATE_PATH_MINOR_NEXT = 1u << 2,
	LUGATE_PATH_POLICY = 1u << 3,  /* an explicit "allow A -> B" line */
};
const char *lugate_path_name(enum lugate_path p); /* "same", "stable-next", ..., "none" */

#define LUGATE_POLICY_MAX_ALLOW 64u
#define LUGATE_POLICY_DEFAULT_KINDS (LUGATE_PATH_SAME | LUGATE_PATH_STABLE_NEXT)

struct lugate_policy_allow {
	char from[LUGATE_RELEASE_MAX + 1];
	char to[LUGATE_RELEASE_MAX + 1];
};

/*
 * "may-lack LAYER COMPATIBLE": the target may lack one file handler or FLB format that the
 * outgoing kernel has compiled in (found in its image), as long as no preserved state is known
 * to be in it. Only the layers file-handler and flb, each line one exact string; a format that
 * state was preserved in (the table's list, a file in a serialized session, a KHO/LUO root) is
 * refused whatever the policy says (lugate_policy_may_lack, docs/policy.md).
 */
#define LUGATE_POLICY_MAX_LACK 16u

struct lugate_policy_lack {
	uint32_t layer;              /* enum lugate_layer (check.h): FILE_HANDLER or FLB */
	char compatible[LUGATE_COMPAT_MAX + 1];
};

struct lugate_policy {
	uint32_t kinds;              /* OR of LUGATE_PATH_SAME/STABLE_NEXT/MINOR_NEXT */
	uint32_t allow_count;
	struct lugate_policy_allow allow[LUGATE_POLICY_MAX_ALLOW];
	uint32_t allow_known_bad;    /* 1: "known-bad = allow", a pair that failed before may go again */
	uint32_t lack_count;
	struct lugate_policy_lack lack[LUGATE_POLICY_MAX_LACK];
};

void lugate_policy_default(struct lugate_policy *p);

/*
 * Parse policy text ('#' comments, "paths = <kinds>", "allow A -> B",
 * "known-bad = allow|refuse", "may-lack LAYER COMPATIBLE"). On error returns
 * LUGATE_ERR_BADPOLICY (or BADRELEASE/TOOMANY) and sets *err_line (1-based) if non-NULL.
 */
int lugate_policy_parse(const char *text, size_t len, struct lugate_policy *out, uint32_t *err_line);

/* Canonical text form (what `lugate seal` records in the table). Returns length or error. */
long lugate_policy_format(const struct lugate_policy *p, char *buf, size_t buf_size);

/*
 * Classify the path outgoing -> target under the policy. Returns the path kind taken
 * (LUGATE_PATH_NONE if refused) and sets *why to a lugate_reason_code (0 on allow).
 * Both strings are parsed here; an unparseable one gives LUGATE_REASON_BAD_RELEASE.
 */
enum lugate_path lugate_policy_classify(const struct lugate_policy *p, const char *outgoing,
					const char *target, int *why);

/* True if a "may-lack" line names exactly this layer (an enum lugate_layer) and compatible. A
 * NULL policy is the default, which names none. */
bool lugate_policy_may_lack(const struct lugate_policy *p, uint32_t layer, const char *compatible);

#endif
