// SPDX-License-Identifier: MIT
/*
 * kexec-file IMAGE INITRD: kexec_file_load(2) of IMAGE with INITRD and no command line, then the
 * jump (reboot LINUX_REBOOT_CMD_KEXEC). Built with the kernel tree's nolibc for the arm64 KHO
 * guest. No command line: on the arm64 KHO kernel (tinyconfig based) the call fails with EFAULT
 * whenever one is passed, and lugate's loader needs none (its options have defaults).
 *
 * Why not kexec-tools: Debian 12's kexec-tools (2.0.25) has no kexec_file_load on arm64, and
 * KHO reaches the next kernel only through kexec_file_load (the kernel then writes
 * linux,kho-fdt and linux,kho-scratch into the DTB it hands on).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/reboot.h>

int main(int argc, char **argv)
{
	int kernel_fd, initrd_fd;
	long rc;

	if (argc != 3) {
		fprintf(stderr, "usage: kexec-file IMAGE INITRD\n");
		return 64;
	}
	kernel_fd = open(argv[1], O_RDONLY);
	initrd_fd = open(argv[2], O_RDONLY);
	if (kernel_fd < 0 || initrd_fd < 0) {
		fprintf(stderr, "kexec-file: cannot open %s\n", kernel_fd < 0 ? argv[1] : argv[2]);
		return 2;
	}
	rc = syscall(__NR_kexec_file_load, kernel_fd, initrd_fd, 0UL, NULL, 0UL);
	if (rc < 0) {
		fprintf(stderr, "kexec-file: kexec_file_load failed: errno %d\n", errno);
		return 3;
	}
	printf("kexec-file: loaded %s with the initrd %s; jumping\n", argv[1], argv[2]);
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "kexec-file: the jump failed: errno %d\n", errno);
	return 3;
}
