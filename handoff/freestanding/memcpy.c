// SPDX-License-Identifier: MIT
/* Own file: gnu-efi's libefi.a defines memcpy as well and the EFI app must be able to omit this. */
#include <string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	/* The loader copies whole kernels and initrds: one string instruction, not a byte loop. */
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
#else
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
#endif
}
