// SPDX-License-Identifier: MIT
/* Own file: gnu-efi's libefi.a defines memset as well and the EFI app must be able to omit this. */
#include <string.h>

void *memset(void *dst, int c, size_t n)
{
#if defined(__x86_64__)
	/* The loader clears whole pages and the kernel's init_size range: one string instruction. */
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
#else
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
#endif
}
