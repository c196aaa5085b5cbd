// SPDX-License-Identifier: MIT
/*
 * Fail-closed properties, end to end through lugate_check (the function the CLI, the loader
 * and the EFI app all call). Prints TAP; run by tests/failclosed/suite-failclosed.sh.
 *
 *   failclosed table
 *       A realistic sealed table (32 functions on 10 cards, three KHO/LUO formats, target and
 *       fallback hashes, a policy with an allow line) is allowed against its target; then
 *       EVERY byte position under nine XOR masks (each single bit, and 0xff), all 256 values
 *       at every header byte and at a sample of payload bytes, EVERY truncation and a few
 *       extensions: each must be refused as table-corrupt, never allowed.
 *   failclosed image SEALED-TABLE STAMPED-IMAGE
 *       A stamped kernel that the sealed table allows; then changed bytes, each image
 *       identified again (as `lugate check --kernel` and the loader do) and checked: each must
 *       be refused (by the identification, the manifest or the sealed hash), never allowed.
 *       An image up to 256 KiB (a real kernel's setup code and headers with a short payload)
 *       is changed at every byte under two masks and cut at every length; a full-size kernel
 *       at samples (every 20th header byte, one byte in every 256 KiB, cuts every MiB), and
 *       both at every byte of the manifest and trailer, and extended by 1 to 64 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lugate/lugate.h>
#include <lugate/image.h>

#define DEVICES 32
#define REASONS 256

static int failures;

static void tap(bool ok, const char *fmt, const char *detail, unsigned long long count)
{
	printf("%s - ", ok ? "ok" : "not ok");
	printf(fmt, count);
	printf("%s%s\n", detail ? ": " : "", detail ? detail : "");
	failures += !ok;
}

/* ---- the table ----------------------------------------------------------------------- */

static const char *const guids[5] = {
	"5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "2c3e8a4b-9d71-4f0e-a6b2-1d5c7e9f0a3b",
	"8e41f6a2-0b3c-4d5e-9f10-a2b3c4d5e6f7", "0d1e2f30-4152-4637-8899-aabbccddeeff",
	"c0ffee00-1234-4567-89ab-cdef01234567",
};
static const char *const drivers[5] = { "mlx5_core", "nvme", "vfio-pci", "ice", "" };
static const char *const preserved[3] = { "kho-v1", "luo-v1", "pci-v3" };

struct fixture {
	uint8_t *table;
	size_t table_size;
	uint8_t *manifest;
	size_t manifest_size;
	uint8_t target_sha[32];
};

static bool build_fixture(struct fixture *fx)
{
	static const uint8_t fallback_sha[32] = { 0xfa, 0x11, 0xba, 0xc4 };
	struct lugate_device devs[DEVICES];
	struct lugate_table_spec ts = { 0 };
	struct lugate_schema schemas[5];
	struct lugate_manifest_spec ms = { 0 };
	uint32_t scratch[DEVICES];
	size_t needed = 0;
	long n;

	/* cards of 1 to 8 functions, each card one schema: the shape of a real host */
	for (unsigned i = 0, card = 0, fn = 0; i < DEVICES; i++) {
		unsigned kind = card % 5;
		memset(&devs[i], 0, sizeof(devs[i]));
		devs[i].addr = lugate_pci_make((uint16_t)(card / 12), (uint8_t)(0x17 + 0x11 * (card % 12)), 0, (uint8_t)fn);
		devs[i].vendor_id = (uint16_t)(0x8086 + kind);
		devs[i].device_id = (uint16_t)(0x1000 + card);
		devs[i].class_code = 0x020000 + kind;
		if (lugate_guid_parse(guids[kind], 36, &devs[i].schema) != 0)
			return false;
		devs[i].schema_version = 1 + kind % 3;
		devs[i].driver = drivers[kind];
		if (++fn > (card % 8) || fn == 8) {
			fn = 0;
			card++;
		}
	}
	for (unsigned k = 0; k < 5; k++) {
		if (lugate_guid_parse(guids[k], 36, &schemas[k].guid) != 0)
			return false;
		schemas[k].min_version = 1;
		schemas[k].max_version = 3;
	}
	for (unsigned k = 0; k < 32; k++)
		fx->target_sha[k] = (uint8_t)(0x5a ^ (k * 37));
	ts.release = "6.1.0-55-amd64";
	ts.compat = preserved;
	ts.compat_count = 3;
	ts.devices = devs;
	ts.device_count = DEVICES;
	ts.target_sha256 = fx->target_sha;
	ts.target_release = "6.1.0-56-amd64";
	ts.fallback_sha256 = fallback_sha;
	ts.policy_text = "paths = same stable-next\nallow 6.1.0-55-amd64 -> 6.1.0-58-amd64\n";
	if (lugate_table_build(NULL, 0, &ts, NULL, 0, &needed) != LUGATE_ERR_NOSPACE || !(fx->table = malloc(needed)))
		return false;
	n = lugate_table_build(fx->table, needed, &ts, scratch, DEVICES, NULL);
	if (n <= 0)
		return false;
	fx->table_size = (size_t)n;
	ms.release = "6.1.0-56-amd64";
	ms.schemas = schemas;
	ms.schema_count = 5;
	ms.compat = preserved;
	ms.compat_count = 3;
	if (lugate_manifest_build(NULL, 0, &ms, NULL, 0, &needed) != LUGATE_ERR_NOSPACE ||
	    !(fx->manifest = malloc(needed)))
		return false;
	n = lugate_manifest_build(fx->manifest, needed, &ms, (uint32_t *)scratch, 5, NULL);
	if (n <= 0)
		return false;
	fx->manifest_size = (size_t)n;
	return true;
}

/* The check as the CLI's `check --kernel` and the loader run it for a table blob. */
static enum lugate_decision decide_table(const struct fixture *fx, const uint8_t *table, size_t size,
					 bool *corrupt)
{
	static struct lugate_reason reasons[REASONS];
	struct lugate_check_input in = { 0 };
	struct lugate_verdict v;

	in.table = table;
	in.table_size = size;
	in.manifest = fx->manifest;
	in.manifest_size = fx->manifest_size;
	in.target_sha256 = fx->target_sha;
	if (lugate_check(&in, reasons, REASONS, &v) != 0)
		return LUGATE_ALLOW; /* a misuse error is a failure of this test, counted as such */
	*corrupt = v.reason_count > 0 && reasons[0].code == LUGATE_REASON_TABLE_CORRUPT;
	return v.decision;
}

/* Counts changes that were allowed, or refused for another reason than table-corrupt. */
struct tally {
	unsigned long long tried, allowed, not_corrupt;
	char first[160];
};

static void judge(const struct fixture *fx, const uint8_t *t, size_t size, struct tally *y, const char *what,
		  size_t pos, unsigned value)
{
	bool corrupt = false;
	enum lugate_decision d = decide_table(fx, t, size, &corrupt);

	y->tried++;
	if (d == LUGATE_REFUSE && corrupt)
		return;
	if (d == LUGATE_ALLOW)
		y->allowed++;
	else
		y->not_corrupt++;
	if (!y->first[0])
		snprintf(y->first, sizeof(y->first), "%s at byte %zu (0x%02x) was %s", what, pos, value,
			 d == LUGATE_ALLOW ? "ALLOWED" : "refused, but not as table-corrupt");
}

static void report(const struct tally *y, const char *fmt)
{
	tap(y->allowed == 0 && y->not_corrupt == 0 && y->tried > 0, fmt, y->first[0] ? y->first : NULL, y->tried);
}

static int table_mode(void)
{
	static const uint8_t masks[9] = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff };
	struct fixture fx;
	struct tally flips = { 0 }, values = { 0 }, cuts = { 0 }, grows = { 0 };
	bool corrupt = true;
	uint8_t *t;

	if (!build_fixture(&fx)) {
		tap(false, "build the sealed table and its manifest%llu", "the core refused the fixture", 0);
		return 1;
	}
	t = malloc(fx.table_size + 64);
	if (!t)
		return 1;
	tap(decide_table(&fx, fx.table, fx.table_size, &corrupt) == LUGATE_ALLOW && !corrupt,
	    "the unchanged sealed table (%llu bytes, 32 devices) is allowed against its target", NULL, fx.table_size);

	memcpy(t, fx.table, fx.table_size);
	for (size_t pos = 0; pos < fx.table_size; pos++) {
		for (unsigned m = 0; m < 9; m++) {
			t[pos] ^= masks[m];
			judge(&fx, t, fx.table_size, &flips, "xor mask", pos, masks[m]);
			t[pos] ^= masks[m];
		}
	}
	report(&flips, "every byte under 9 XOR masks: %llu changed tables, none allowed, each table-corrupt");

	/* all 256 values: every header byte, then every 127th payload byte and the last 16 */
	for (size_t pos = 0; pos < fx.table_size; pos++) {
		uint8_t orig = t[pos];
		if (pos >= 64 && pos % 127 != 0 && pos + 16 < fx.table_size)
			continue;
		for (unsigned v = 0; v < 256; v++) {
			if (v == orig)
				continue;
			t[pos] = (uint8_t)v;
			judge(&fx, t, fx.table_size, &values, "value", pos, v);
		}
		t[pos] = orig;
	}
	report(&values, "all 256 values at every header byte and sampled payload bytes: %llu tables, none allowed");

	for (size_t len = 0; len < fx.table_size; len++)
		judge(&fx, t, len, &cuts, "truncation to", len, 0);
	report(&cuts, "every truncation: %llu tables, none allowed, each table-corrupt");

	for (size_t extra = 1; extra <= 64; extra++) {
		memset(t + fx.table_size, extra % 2 ? 0x00 : 0xff, extra);
		judge(&fx, t, fx.table_size + extra, &grows, "extension by", extra, extra % 2 ? 0x00 : 0xff);
	}
	report(&grows, "1 to 64 bytes appended: %llu tables, none allowed, each table-corrupt");
	free(t);
	free(fx.table);
	free(fx.manifest);
	return failures ? 1 : 0;
}

/* ---- the stamped image ------------------------------------------------------------------- */

static uint8_t *read_all(const char *path, size_t *size, size_t extra)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + extra)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		*size = (size_t)n;
	return buf;
}

/*
 * SHA-256 states of the unchanged image at every CHECKPOINT bytes: a change at byte p only
 * needs hashing from the checkpoint before p, which keeps thousands of samples of an 8 MiB
 * kernel affordable. The hash of each changed image is still computed in full, from its bytes.
 */
#define CHECKPOINT ((size_t)64 << 10)

struct image_fixture {
	const uint8_t *table;
	size_t table_size;
	uint8_t *img;
	size_t size;
	struct lugate_sha256 *marks; /* marks[k]: state after k * CHECKPOINT bytes */
};

static void image_sha(const struct image_fixture *ix, const uint8_t *img, size_t size, size_t changed_from,
		      uint8_t out[32])
{
	size_t k = changed_from / CHECKPOINT, start;
	struct lugate_sha256 s;

	if (k * CHECKPOINT > size)
		k = size / CHECKPOINT;
	start = k * CHECKPOINT;
	s = ix->marks[k];
	lugate_sha256_update(&s, img + start, size - start);
	lugate_sha256_final(&s, out);
}

/* As `lugate check --kernel` and the loader: identify, take the manifest, release and hash. */
static enum lugate_decision decide_image(const struct image_fixture *ix, const uint8_t *img, size_t size,
					 size_t changed_from, int *identify_err)
{
	static struct lugate_reason reasons[REASONS];
	struct lugate_check_input in = { 0 };
	struct lugate_image_info info;
	struct lugate_verdict v;
	uint8_t sha[32];

	*identify_err = lugate_image_identify(img, size, &info);
	if (*identify_err)
		return LUGATE_REFUSE; /* the CLI exits 2, the loader does not boot it */
	image_sha(ix, img, size, changed_from, sha);
	if (info.carrier != LUGATE_CARRIER_NONE) {
		in.manifest = info.manifest.p;
		in.manifest_size = info.manifest.size;
	}
	in.target_release = info.release[0] ? info.release : NULL;
	in.target_sha256 = sha;
	in.table = ix->table;
	in.table_size = ix->table_size;
	if (lugate_check(&in, reasons, REASONS, &v) != 0)
		return LUGATE_ALLOW;
	return v.decision;
}

static int image_mode(const char *table_path, const char *image_path)
{
	static const uint8_t masks[2] = { 0x01, 0xff };
	struct image_fixture ix = { 0 };
	struct lugate_image_info info;
	struct tally head = { 0 }, tail = { 0 }, cuts = { 0 };
	bool exhaustive;
	struct lugate_sha256 s;
	size_t table_size = 0, marks, manifest_at;
	uint8_t *table = read_all(table_path, &table_size, 0);
	int ierr = 0;

	ix.img = read_all(image_path, &ix.size, 64);
	if (!table || !ix.img || lugate_image_identify(ix.img, ix.size, &info) != 0 ||
	    info.carrier == LUGATE_CARRIER_NONE) {
		tap(false, "read the sealed table and the stamped image%llu", "unreadable, or the image is not stamped", 0);
		return 1;
	}
	ix.table = table;
	ix.table_size = table_size;
	marks = ix.size / CHECKPOINT + 1;
	ix.marks = malloc(marks * sizeof(*ix.marks));
	if (!ix.marks)
		return 1;
	lugate_sha256_init(&s);
	for (size_t k = 0; k < marks; k++) {
		ix.marks[k] = s;
		if ((k + 1) * CHECKPOINT <= ix.size)
			lugate_sha256_update(&s, ix.img + k * CHECKPOINT, CHECKPOINT);
	}
	manifest_at = (size_t)(info.manifest.p - ix.img);
	tap(decide_image(&ix, ix.img, ix.size, 0, &ierr) == LUGATE_ALLOW,
	    "the unchanged stamped image (%llu bytes) is allowed by its sealed table", NULL, ix.size);

#define TRY(tally, pos_, newsize, what, value)                                                         \
	do {                                                                                        \
		(tally).tried++;                                                                    \
		if (decide_image(&ix, ix.img, (newsize), (pos_), &ierr) == LUGATE_ALLOW) {          \
			(tally).allowed++;                                                          \
			if (!(tally).first[0])                                                      \
				snprintf((tally).first, sizeof((tally).first), "%s at byte %zu (0x%02x) was ALLOWED", \
					 (what), (size_t)(pos_), (unsigned)(value));                \
		}                                                                                   \
	} while (0)

	/* A small image (a real kernel's setup code and header with a short payload) is changed
	 * at every byte; a full-size kernel at samples, its hash being the cost of each. */
	exhaustive = ix.size <= ((size_t)256 << 10);
	for (size_t pos = 0; pos < manifest_at; pos += exhaustive ? 1 : pos < 0x280 ? 20 : 262144)
		for (unsigned m = 0; m < 2; m++) {
			ix.img[pos] ^= masks[m];
			TRY(head, pos, ix.size, "xor mask", masks[m]);
			ix.img[pos] ^= masks[m];
		}
	report(&head, exhaustive ? "every byte of the image under 2 XOR masks: %llu changed images, none allowed"
				 : "sampled bytes of the image (every 20th of its headers, one in every 256 KiB): "
				   "%llu changed images, none allowed");

	/* the manifest and its trailer, to the last byte */
	for (size_t pos = manifest_at; pos < ix.size; pos++)
		for (unsigned m = 0; m < 2; m++) {
			ix.img[pos] ^= masks[m];
			TRY(tail, pos, ix.size, "xor mask", masks[m]);
			ix.img[pos] ^= masks[m];
		}
	report(&tail, "every byte of the manifest and trailer under 2 XOR masks: %llu changed images, none allowed");

	/* truncations: every one through the manifest, into the image every byte or every MiB */
	for (size_t len = ix.size; len-- > 0;) {
		if (!exhaustive && len < manifest_at && len % ((size_t)1 << 20) != 0)
			continue;
		TRY(cuts, len, len, "truncation to", 0);
	}
	for (size_t extra = 1; extra <= 64; extra++) {
		memset(ix.img + ix.size, extra % 2 ? 0 : 0xff, extra);
		TRY(cuts, ix.size, ix.size + extra, "extension", extra);
	}
	report(&cuts, exhaustive ? "every truncation and 1..64 bytes appended: %llu images, none allowed"
				 : "truncations (every one through the manifest, then every MiB) and 1..64 bytes "
				   "appended: %llu images, none allowed");
#undef TRY
	free(ix.marks);
	free(ix.img);
	free(table);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "table") == 0)
		return table_mode();
	if (argc == 4 && strcmp(argv[1], "image") == 0)
		return image_mode(argv[2], argv[3]);
	fprintf(stderr, "usage: failclosed table | failclosed image SEALED-TABLE STAMPED-IMAGE\n");
	return 2;
}
