/* kexec-load: load a crash kernel with kexec_file_load(2), as `kexec -p`
 * does, in a program that links statically (kexec-tools' kexec is linked
 * against libxenctrl and more, which a busybox initramfs lacks).
 *
 * Usage: kexec-load KERNEL INITRD CMDLINE
 * Loads KERNEL (a bzImage) with INITRD and CMDLINE as the kernel to boot
 * on a crash (KEXEC_FILE_ON_CRASH); needs crashkernel= on the running
 * kernel's command line. Exit 0 when loaded; 1 with the error otherwise.
 * A guest tool for scripts/capture-kexec: build with cc -static.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEXEC_FILE_ON_CRASH
#define KEXEC_FILE_ON_CRASH 0x00000002
#endif

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kexec-load KERNEL INITRD CMDLINE\n");
		return 2;
	}
	int kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		fprintf(stderr, "kexec-load: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		fprintf(stderr, "kexec-load: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	/* the length counts the terminating NUL */
	unsigned long len = strlen(argv[3]) + 1;
	if (syscall(SYS_kexec_file_load, kfd, ifd, len, argv[3],
		    (unsigned long)KEXEC_FILE_ON_CRASH) != 0) {
		fprintf(stderr, "kexec-load: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	printf("kexec-load: crash kernel loaded\n");
	return 0;
}
