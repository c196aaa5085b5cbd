/* SPDX-License-Identifier: MIT */
/*
 * The check: handoff table + target manifest + policy -> allow or refuse, with every
 * reason. One function, the same in the admin's pre-flight (CLI), the bare-metal loader
 * and the EFI app, so a dry run and the real run cannot disagree.
 */
#ifndef LUGATE_CHECK_H
#define LUGATE_CHECK_H

#include <lugate/types.h>
#include <lugate/policy.h>
#include <lugate/table.h>
#include <lugate/manifest.h>

/* Reason codes. Their names (lugate_reason_name) are stable identifiers: never change. */
enum lugate_reason_code {
	LUGATE_REASON_NONE = 0,
	LUGATE_REASON_DOWNGRADE,      /* "downgrade" */
	LUGATE_REASON_VERSION_JUMP,   /* "version-jump" */
	LUGATE_REASON_FLAVOUR_CHANGE, /* "flavour-change" */
	LUGATE_REASON_PRERELEASE,     /* "prerelease" */
	LUGATE_REASON_BAD_RELEASE,    /* "bad-release" */
	LUGATE_REASON_SCHEMA_MISSING, /* "schema-missing" (per device) */
	LUGATE_REASON_SCHEMA_VERSION, /* "schema-version" (per device) */
	LUGATE_REASON_COMPAT_MISSING, /* "compat-missing" */
	LUGATE_REASON_NO_MANIFEST,    /* "no-manifest" */
	LUGATE_REASON_IMAGE_MISMATCH, /* "image-mismatch" */
	LUGATE_REASON_TABLE_CORRUPT,  /* "table-corrupt" */
	LUGATE_REASON_KNOWN_BAD,      /* "known-bad": this very pair failed after an earlier jump */
	LUGATE_REASON_WRONG_MANIFEST, /* "wrong-manifest": the manifest names another release than the image */
	LUGATE_REASON_PAGE_SIZE_CHANGE, /* "page-size-change": KHO/LUO state cannot cross a change of page size */
	LUGATE_REASON_COUNT
};

const char *lugate_reason_name(enum lugate_reason_code c);

/*
 * The layer a KHO/LUO format belongs to: each layer fails differently in the next kernel when
 * it cannot revive the format (read in linux-source-7.3, docs/errors.md). Names are stable.
 */
enum lugate_layer {
	LUGATE_LAYER_UNKNOWN = 0,     /* "unknown" */
	LUGATE_LAYER_KHO,             /* "kho": the KHO root FDT's compatible */
	LUGATE_LAYER_LUO,             /* "luo": the LUO subtree's compatible */
	LUGATE_LAYER_FILE_HANDLER,    /* "file-handler": a preserved file's handler */
	LUGATE_LAYER_FLB,             /* "flb": a File-Lifecycle-Bound object (pci, iommu, ...) */
	LUGATE_LAYER_COUNT
};

const char *lugate_layer_name(enum lugate_layer l);
/* What upstream's next kernel does when it cannot revive a format of this layer, one line. */
const char *lugate_layer_consequence(enum lugate_layer l);
/* The layer of a compatible string known only by name: "kho-v*" is KHO, "luo-*" is LUO,
 * anything else a file handler (FLBs are named only where they are read, never guessed). */
enum lugate_layer lugate_layer_of(const char *compatible);

/* One format the outgoing kernel is observed to have preserved state in (or can serialize).
 * The loaders keep thousands of them (one per preserved file): the fields are ordered so that
 * none pads (32 bytes on LP64). */
struct lugate_outgoing_format {
	const char *compatible;
	const char *session;          /* the LUO session holding the file; NULL if not from one */
	uint64_t token;               /* the file's token in that session (has_token) */
	enum lugate_layer layer;      /* LUGATE_LAYER_UNKNOWN: taken from lugate_layer_of() */
	bool has_token;
	/* Only compiled into the outgoing kernel (found in its image): a format it can serialize,
	 * with no preserved state known to be in it. Only such a file-handler or FLB format may be
	 * lifted by the policy's "may-lack" line; false (state is in it) is never lifted. */
	bool compiled_only;
};

struct lugate_reason {
	enum lugate_reason_code code;
	enum lugate_layer layer;      /* compat-missing: the layer of subject */
	lugate_pci_addr device;       /* per-device reasons (has_device) */
	struct lugate_guid guid;      /* schema-missing / schema-version */
	uint32_t version;             /* schema-version: the preserved version */
	uint32_t min_version, max_version; /* schema-version: what the target accepts */
	uint32_t count;               /* no-manifest: devices preserved */
	int error;                    /* table-corrupt / no-manifest: the lugate_err behind it */
	bool has_device;
	bool has_token;
	bool compiled_only;           /* compat-missing: only compiled into the outgoing kernel */
	const char *subject;          /* compat string, driver name, or which image; may be NULL */
	const char *session;          /* compat-missing: the LUO session of the file (or NULL) */
	uint64_t token;               /* compat-missing: that file's token (has_token) */
	const char *from, *to;        /* release reasons: outgoing and target (may be NULL) */
	uint32_t from_page_size, to_page_size; /* page-size-change: the outgoing kernel's and the target's */
};

struct lugate_check_input {
	const void *table;            /* framed handoff table (sealed or not) */
	size_t table_size;
	const void *manifest;         /* framed binary manifest; NULL if the target has none */
	size_t manifest_size;
	const char *target_release;   /* the release the image itself states; may be NULL. Without a
				       * manifest it is the target's; with one, both must agree */
	const char *const *scanned_compat; /* KHO/LUO strings found in the image; may be NULL */
	size_t scanned_compat_count;
	/* Formats the outgoing kernel is observed to have preserved state in, or can serialize,
	 * besides the table's preserved-compatible list: the loader reads them from the KHO FDT
	 * and the serialized LUO state at the jump, the CLI from the running kernel and its image.
	 * Each must be revived by the target exactly like the table's: else compat-missing. An
	 * entry with a session is reported once per file; one without, once per string. */
	const struct lugate_outgoing_format *outgoing;
	size_t outgoing_count;
	/* Policy: explicit, else the one sealed in the table, else the default. */
	const struct lugate_policy *policy;
	const uint8_t *target_sha256; /* hash of the image being checked; NULL if unknown */
	/* This outgoing -> target pair booted the fallback or failed its checks after an earlier
	 * jump, as the CLI's history of outcomes records (the loader and EFI app keep none: NULL).
	 * The date it failed, named in the known-bad refusal; the policy's
	 * "known-bad = allow" lifts it. */
	const char *known_bad_since;
	/* The page size the target runs with (lugate_image_page_size: an arm64 header's, 4096 for
	 * an x86-64 bzImage); 0 if unknown, and then not judged. The outgoing kernel's is the
	 * table's (its /page-size, 4096 when absent). */
	uint32_t target_page_size;
};

enum lugate_decision { LUGATE_REFUSE = 0, LUGATE_ALLOW = 1 };

struct lugate_verdict {
	enum lugate_decision decision;
	enum lugate_path path;
	const char *outgoing;         /* may be NULL if the table is corrupt */
	const char *target;           /* may be NULL */
	uint32_t device_count;
	struct lugate_reason *reasons;/* caller's array */
	size_t reason_capacity;
	size_t reason_count;          /* reasons stored (<= capacity) */
	size_t reason_total;          /* reasons found; > reason_count means some were dropped */
	int manifest_error;           /* < 0 if a manifest was given but is corrupt */
	struct lugate_table table;    /* the verified table (valid unless table-corrupt) */
	struct lugate_reason spill;   /* internal: where reasons past the capacity are written */
};

/*
 * Run the check. Never allocates. reasons/capacity are the caller's storage; a verdict
 * with reason_total > 0 is always a refusal, whether or not every reason fit.
 * Returns 0 (the verdict says allow or refuse) or LUGATE_ERR_INVAL on misuse.
 */
int lugate_check(const struct lugate_check_input *in, struct lugate_reason *reasons,
		 size_t capacity, struct lugate_verdict *out);

/*
 * The per-device part of lugate_check alone: each device of v->table against the manifest's
 * schema records, adding a schema-missing or schema-version reason to v for every device the
 * target cannot revive. v must be set up as lugate_check sets it (table open, reasons and
 * reason_capacity; the counts zero). lugate_check runs it; it is public so that the
 * benchmark times the same loop on its own (bench/bench_gate.c).
 */
void lugate_check_devices(const struct lugate_manifest *m, struct lugate_verdict *v);

/*
 * Before booting a fallback kernel: its SHA-256 must equal the fallback hash sealed in the
 * table. Returns 0, LUGATE_ERR_NOTFOUND (no fallback was sealed) or LUGATE_ERR_BADHASH.
 */
int lugate_check_fallback(const struct lugate_table *t, const uint8_t sha256[LUGATE_SHA256_SIZE]);

/*
 * One-line human message for a reason, e.g.
 * "target advertises no schema 5f0b...-... for 0000:3b:00.0 (mlx5_core); stamp it with
 *  `lugate embed` or pick another target". Returns the length (truncated to buf_size-1).
 */
size_t lugate_reason_format(const struct lugate_reason *r, char *buf, size_t buf_size);

#endif
