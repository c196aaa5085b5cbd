/* SPDX-License-Identifier: MIT */
/* Basic value types shared by every lugate format: GUIDs, PCI addresses, digests. */
#ifndef LUGATE_TYPES_H
#define LUGATE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUGATE_SHA256_SIZE 32u
#define LUGATE_GUID_SIZE 16u
#define LUGATE_GUID_TEXT_LEN 36u      /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */
#define LUGATE_PCI_TEXT_LEN 12u       /* SSSS:BB:DD.F */
#define LUGATE_RELEASE_MAX 64u        /* __NEW_UTS_LEN: a kernel release never exceeds it */
#define LUGATE_COMPAT_MAX 47u         /* longest KHO/LUO compatible kept (LUO's char[48]) */
#define LUGATE_DRIVER_MAX 63u         /* informational driver name */

/*
 * A schema GUID, stored as the 16 bytes of its RFC 4122 text form in order
 * (big-endian fields; "00112233-4455-..." is bytes 00 11 22 33 44 55 ...).
 */
struct lugate_guid {
	uint8_t b[LUGATE_GUID_SIZE];
};

/*
 * A PCI function address packed as segment<<16 | bus<<8 | device<<3 | function,
 * so that numeric order is address order.
 */
typedef uint32_t lugate_pci_addr;

static inline uint16_t lugate_pci_segment(lugate_pci_addr a) { return (uint16_t)(a >> 16); }
static inline uint8_t lugate_pci_bus(lugate_pci_addr a) { return (uint8_t)(a >> 8); }
static inline uint8_t lugate_pci_device(lugate_pci_addr a) { return (uint8_t)((a >> 3) & 0x1f); }
static inline uint8_t lugate_pci_function(lugate_pci_addr a) { return (uint8_t)(a & 0x7); }
static inline lugate_pci_addr lugate_pci_make(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	return ((uint32_t)seg << 16) | ((uint32_t)bus << 8) | ((uint32_t)(dev & 0x1f) << 3) | (fn & 7u);
}

/* Text forms. Parsers take (text, length) and never read past it; formatters write a NUL. */
int lugate_guid_parse(const char *text, size_t len, struct lugate_guid *out);
/* buf must hold LUGATE_GUID_TEXT_LEN + 1 bytes; lower-case hex. */
void lugate_guid_format(const struct lugate_guid *g, char *buf);
int lugate_guid_cmp(const struct lugate_guid *a, const struct lugate_guid *b);

/* "SSSS:BB:DD.F" or "BB:DD.F" (segment 0); hex, case-insensitive. */
int lugate_pci_parse(const char *text, size_t len, lugate_pci_addr *out);
/* buf must hold LUGATE_PCI_TEXT_LEN + 1 bytes. */
void lugate_pci_format(lugate_pci_addr a, char *buf);

/* Lower-case hex of a digest; buf must hold 2*LUGATE_SHA256_SIZE + 1 bytes. */
void lugate_hex_format(const uint8_t *bytes, size_t n, char *buf);
int lugate_hex_parse(const char *text, size_t len, uint8_t *out, size_t out_size);
/* The value of one hex digit (either case), or -1. */
int lugate_hex_digit(char c);

#endif
