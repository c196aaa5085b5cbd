// SPDX-License-Identifier: MIT
/*
 * lugate_kho_root_compat (lugate/kho.h): the KHO FDT's root compatible, read from a whole tree
 * (the loader) and from a prefix of a growing one (the CLI, debugfs). Trees are built with
 * libfdt the way the kernel's KHO builds its own: root compatible first, then the rest.
 */
#include "helpers.h"
#include <libfdt.h>
#include <lugate/kho.h>

#define TREE_SIZE 1024

/* An 8-byte aligned buffer: libfdt reads a tree only at that alignment. */
static union {
	uint64_t align;
	uint8_t b[TREE_SIZE + 16];
} tree_buf, copy_buf;

/* A KHO-like tree: root { compatible = compat; preserved-memory-map; LUO { compatible } }.
 * compat_len < 0: the string's own length (with its NUL); else that many bytes of it. */
static size_t kho_tree(uint8_t *buf, const char *compat, int compat_len, bool with_compat)
{
	uint64_t map = 0;

	assert_int_equal(fdt_create(buf, TREE_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	if (with_compat)
		assert_int_equal(fdt_property(buf, "compatible", compat,
					      compat_len < 0 ? (int)strlen(compat) + 1 : compat_len), 0);
	assert_int_equal(fdt_property(buf, "preserved-memory-map", &map, sizeof(map)), 0);
	assert_int_equal(fdt_begin_node(buf, "LUO"), 0);
	assert_int_equal(fdt_property_string(buf, "compatible", "luo-v1"), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

static void reads_the_root_compatible(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);

	(void)state;
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, size, LUGATE_KHO_WHOLE, out), 0);
	assert_string_equal(out, "kho-v4");
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, size, LUGATE_KHO_PREFIX, out), 0);
	assert_string_equal(out, "kho-v4");
	/* an area larger than the tree (KHO hands over a page) */
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, TREE_SIZE, LUGATE_KHO_WHOLE, out), 0);
	assert_string_equal(out, "kho-v4");
}

/* The prefix reading needs only the bytes up to the compatible's value; fewer is TRUNCATED
 * (never a guess), and any more gives the same answer. */
static void prefix_every_length(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);
	size_t need = fdt_off_dt_struct(tree_buf.b) + 20 + sizeof("kho-v4");

	(void)state;
	for (size_t n = 0; n <= size; n++) {
		int err = lugate_kho_root_compat(tree_buf.b, n, LUGATE_KHO_PREFIX, out);

		if (n < need) {
			assert_int_equal(err, LUGATE_ERR_TRUNCATED);
			assert_string_equal(out, "");
		} else {
			assert_int_equal(err, 0);
			assert_string_equal(out, "kho-v4");
		}
	}
}

/* A whole tree must be whole: any cut of it is refused. */
static void whole_every_cut(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);

	(void)state;
	for (size_t n = 0; n < size; n++) {
		assert_true(lugate_kho_root_compat(tree_buf.b, n, LUGATE_KHO_WHOLE, out) < 0);
		assert_string_equal(out, "");
	}
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, LUGATE_KHO_FDT_MAX + 1, LUGATE_KHO_WHOLE, out),
			 LUGATE_ERR_BADSIZE);
	assert_int_equal(lugate_kho_root_compat(NULL, size, LUGATE_KHO_WHOLE, out), LUGATE_ERR_INVAL);
}

static void the_string_rule(void **state)
{
	static const struct {
		const char *value;
		int len;            /* -1: the string and its NUL */
		int err;
	} cases[] = {
		{ "kho-v1", -1, 0 },
		{ "kho v4", -1, LUGATE_ERR_BADSTRING },                 /* a space */
		{ "kho-v4\tx", -1, LUGATE_ERR_BADSTRING },              /* a control character */
		{ "", -1, LUGATE_ERR_BADSTRING },                       /* empty */
		{ "kho-v4", 6, LUGATE_ERR_BADSTRING },                  /* no NUL */
		{ "kho-v4\0luo-v1", 14, LUGATE_ERR_BADSTRING },         /* two strings */
		{ "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstu", -1, 0 },   /* 47 */
		{ "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv", -1, LUGATE_ERR_BADSTRING }, /* 48 */
	};
	char out[LUGATE_COMPAT_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t size = kho_tree(tree_buf.b, cases[i].value, cases[i].len, true);

		for (int how = LUGATE_KHO_WHOLE; how <= LUGATE_KHO_PREFIX; how++) {
			int err = lugate_kho_root_compat(tree_buf.b, size, (enum lugate_kho_read)how, out);

			assert_int_equal(err, cases[i].err);
			if (err == 0)
				assert_string_equal(out, cases[i].value);
			else
				assert_string_equal(out, "");
		}
	}
	/* no compatible at all: the whole tree says so; the prefix reading takes the first
	 * property whatever its name (documented), here 8 bytes that are not a string */
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, kho_tree(tree_buf.b, NULL, 0, false),
						LUGATE_KHO_WHOLE, out), LUGATE_ERR_BADPROP);
	assert_int_equal(lugate_kho_root_compat(tree_buf.b, fdt_totalsize(tree_buf.b), LUGATE_KHO_PREFIX, out),
			 LUGATE_ERR_BADSTRING);
}

/* What libfdt must never be handed: a tree at an odd address, a structure block at an offset
 * that is not a multiple of 4 (its tags would be read misaligned). */
static void alignment(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);

	(void)state;
	memcpy(copy_buf.b + 4, tree_buf.b, size);
	assert_int_equal(lugate_kho_root_compat(copy_buf.b + 4, size, LUGATE_KHO_WHOLE, out), LUGATE_ERR_BADFDT);
	/* byte by byte, the prefix reading takes any address */
	assert_int_equal(lugate_kho_root_compat(copy_buf.b + 4, size, LUGATE_KHO_PREFIX, out), 0);
	assert_string_equal(out, "kho-v4");
	/* structure block moved by 2 bytes (the header says so, the bytes follow) */
	memcpy(copy_buf.b, tree_buf.b, size);
	memmove(copy_buf.b + fdt_off_dt_struct(tree_buf.b) + 2, copy_buf.b + fdt_off_dt_struct(tree_buf.b),
		size - fdt_off_dt_struct(tree_buf.b));
	fdt_set_off_dt_struct(copy_buf.b, fdt_off_dt_struct(tree_buf.b) + 2);
	fdt_set_off_dt_strings(copy_buf.b, fdt_off_dt_strings(tree_buf.b) + 2);
	fdt_set_totalsize(copy_buf.b, (uint32_t)size + 2);
	assert_int_equal(lugate_kho_root_compat(copy_buf.b, size + 2, LUGATE_KHO_WHOLE, out), LUGATE_ERR_BADFDT);
	assert_int_equal(lugate_kho_root_compat(copy_buf.b, size + 2, LUGATE_KHO_PREFIX, out), LUGATE_ERR_BADFDT);
}

/* A version-16 tree is walked through libfdt's fdt_next_tag(); a property length near 2^31
 * would overflow its int offset arithmetic, so the walk refuses it before libfdt adds it up
 * (the sanitizer suite's build of this program fails on the overflow itself). */
static void version16_huge_property(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);
	/* BEGIN_NODE, the root's empty name padded to 4 bytes, then PROP and its length */
	size_t len_at = fdt_off_dt_struct(tree_buf.b) + 12;
	static const uint32_t lens[] = { 0x7ffffff0u, 0x7fffffffu, 0x80000000u, 0xfffffff8u };

	(void)state;
	memcpy(copy_buf.b, tree_buf.b, size);
	fdt_set_version(copy_buf.b, 16);
	fdt_set_last_comp_version(copy_buf.b, 16);
	assert_int_equal(lugate_kho_root_compat(copy_buf.b, size, LUGATE_KHO_WHOLE, out), 0);
	assert_string_equal(out, "kho-v4");
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint32_t be = cpu_to_fdt32(lens[i]);

		memcpy(copy_buf.b + len_at, &be, sizeof(be));
		assert_int_equal(lugate_kho_root_compat(copy_buf.b, size, LUGATE_KHO_WHOLE, out),
				 LUGATE_ERR_BADFDT);
		assert_string_equal(out, "");
	}
}

/* Every single-byte change of a whole tree: an answer is either an error and "", or a valid
 * token (ASan and UBSan, in the sanitizer suite's build of this program, watch the reads). */
static void every_byte_change(void **state)
{
	char out[LUGATE_COMPAT_MAX + 1];
	size_t size = kho_tree(tree_buf.b, "kho-v4", -1, true);
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };

	(void)state;
	for (size_t at = 0; at < size; at++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(copy_buf.b, tree_buf.b, size);
			copy_buf.b[at] ^= flips[f];
			for (int how = LUGATE_KHO_WHOLE; how <= LUGATE_KHO_PREFIX; how++) {
				int err = lugate_kho_root_compat(copy_buf.b, size, (enum lugate_kho_read)how, out);
				size_t len = strlen(out);

				if (err < 0) {
					assert_int_equal(len, 0);
					continue;
				}
				assert_int_equal(err, 0);
				assert_true(len >= 1 && len <= LUGATE_COMPAT_MAX);
				for (size_t i = 0; i < len; i++)
					assert_true(out[i] > ' ' && out[i] <= '~');
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_root_compatible), cmocka_unit_test(prefix_every_length),
		cmocka_unit_test(whole_every_cut), cmocka_unit_test(the_string_rule),
		cmocka_unit_test(alignment), cmocka_unit_test(every_byte_change),
		cmocka_unit_test(version16_huge_property),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
