/* SPDX-License-Identifier: MIT */
/*
 * <string.h> for lugate's freestanding builds: only the functions the core and libfdt
 * call. Each is defined in its own file next to this header and archived in
 * liblugate-libc.a (mk/20-freestanding.mk). memcpy and memset stay in files of their own
 * because gnu-efi's libefi.a defines them too: the EFI app links libefi's and leaves ours
 * out. The same set is the only undefined symbols allowed in liblugate-core.a
 * (tests/freestanding/suite-freestanding.sh).
 */
#ifndef LUGATE_FREESTANDING_STRING_H
#define LUGATE_FREESTANDING_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

#endif
