/* SPDX-License-Identifier: MIT */
/*
 * lugate error codes: small negative numbers, one strerror table (the libfdt manner).
 * Every core function returns 0 (or a non-negative count/offset) on success and one of
 * these on failure. The numbers are ABI: never renumber, only append.
 */
#ifndef LUGATE_ERROR_H
#define LUGATE_ERROR_H

enum lugate_err {
	LUGATE_OK = 0,
	LUGATE_ERR_TRUNCATED = -1,   /* input shorter than its own header says, or than a header */
	LUGATE_ERR_BADMAGIC = -2,    /* not this format */
	LUGATE_ERR_BADVERSION = -3,  /* this format, but a version we do not read */
	LUGATE_ERR_BADSIZE = -4,     /* a size or offset field is inconsistent or hostile */
	LUGATE_ERR_BADHASH = -5,     /* integrity digest does not match the content */
	LUGATE_ERR_BADFDT = -6,      /* the flattened device tree is malformed */
	LUGATE_ERR_BADCOMPAT = -7,   /* root compatible is not the one this format requires */
	LUGATE_ERR_BADPROP = -8,     /* a required property is missing or has the wrong size */
	LUGATE_ERR_UNSORTED = -9,    /* entries not in ascending order */
	LUGATE_ERR_DUPLICATE = -10,  /* the same entry twice */
	LUGATE_ERR_NOSPACE = -11,    /* caller's buffer too small (the needed size is reported) */
	LUGATE_ERR_BADRELEASE = -12, /* release string does not parse */
	LUGATE_ERR_BADGUID = -13,    /* GUID text does not parse */
	LUGATE_ERR_BADPOLICY = -14,  /* policy text does not parse */
	LUGATE_ERR_BADADDR = -15,    /* PCI address text does not parse */
	LUGATE_ERR_RANGE = -16,      /* a value outside its allowed range */
	LUGATE_ERR_TOOMANY = -17,    /* more entries than the format or a buffer allows */
	LUGATE_ERR_NOTFOUND = -18,   /* the thing looked for is not there */
	LUGATE_ERR_BADIMAGE = -19,   /* kernel image structure is malformed */
	LUGATE_ERR_UNKNOWNFMT = -20, /* kernel image format not recognised */
	LUGATE_ERR_EXISTS = -21,     /* already present (e.g. image already stamped) */
	LUGATE_ERR_INVAL = -22,      /* invalid argument from the caller */
	LUGATE_ERR_BADSTRING = -23,  /* string not NUL-terminated, empty, too long or bad chars */
	LUGATE_ERR_UNSUPPORTED = -24,/* well-formed, but a feature lugate does not handle */
	LUGATE_ERR_NONCANONICAL = -25, /* valid content, but bytes lugate's builder would not write */
	LUGATE_ERR_INCONSISTENT = -26, /* an input states one fact twice, differently */
	LUGATE_ERR_UNMAPPED = -27,   /* a physical address the reader may not read (0, wraps, unmapped) */
	LUGATE_ERR_MISALIGNED = -28, /* an address not aligned as its format requires */
	LUGATE_ERR_LOOP = -29,       /* a linked list loops, or is longer than its bound */
};

#define LUGATE_ERR_MAX 29

/* A stable one-line description; never NULL. */
const char *lugate_strerror(int err);
/* A stable identifier ("truncated", "bad-magic", ...), for JSON output; never NULL. */
const char *lugate_errname(int err);

#endif
