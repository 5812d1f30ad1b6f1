/* Guest helper of scripts/test-files-guest (built static, run as the
 * guest's workload): holds a memfd "wayland-shm" (1 MiB), MAP_SHARED|
 * MAP_ANONYMOUS memory (2 MiB), a /dev/zero shared mapping (512 KiB), 70
 * SysV segments of 8 KiB (keys 0x1000 + i, every 10th removed while
 * attached: an idr of more than one node), and a child in a private mount
 * namespace with a file on a tmpfs mounted only there. "kinds resid FILE"
 * prints the mincore residency of FILE. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void fill(char *p, size_t n) { for (size_t i = 0; i < n; i += 4096) p[i] = 0x42; }

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "resid") == 0) {
		int fd = open(argv[2], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st)) { perror(argv[2]); return 1; }
		size_t n = (st.st_size + 4095) / 4096;
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		unsigned char *v = calloc(n ? n : 1, 1);
		if (p == MAP_FAILED || mincore(p, st.st_size, v)) { perror("mincore"); return 1; }
		size_t r = 0;
		for (size_t i = 0; i < n; i++) r += v[i] & 1;
		printf("RESID %s %lld %zu\n", argv[2], (long long)st.st_size, r * 4096);
		return 0;
	}
	int mfd = memfd_create("wayland-shm", 0);
	if (mfd < 0 || ftruncate(mfd, 1 << 20)) { perror("memfd"); return 1; }
	char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	fill(m, 1 << 20);
	char *a = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fill(a, 2 << 20);
	int z = open("/dev/zero", O_RDWR);
	char *zp = mmap(NULL, 512 << 10, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
	fill(zp, 512 << 10);
	/* 70 SysV segments (an idr with more than one node): keys 0x1000+i,
	 * 8 KiB each, touched; every 10th removed while attached */
	for (int i = 0; i < 70; i++) {
		int id = shmget(0x1000 + i, 8192, IPC_CREAT | 0600);
		char *p = id >= 0 ? shmat(id, NULL, 0) : (void *)-1;
		if (p == (void *)-1) { perror("shm"); return 1; }
		fill(p, 8192);
		if (i % 10 == 0)
			shmctl(id, IPC_RMID, NULL);
	}
	pid_t c = fork();
	if (c == 0) {
		if (unshare(CLONE_NEWNS) || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("ctrtmp", "/private", "tmpfs", 0, "size=4m")) { perror("ns"); _exit(1); }
		int fd = open("/private/cache.bin", O_RDWR | O_CREAT, 0644);
		char buf[4096];
		memset(buf, 0x33, sizeof(buf));
		for (int i = 0; i < 192; i++) write(fd, buf, sizeof(buf));
		printf("PRIVATE /private/cache.bin 786432\n");
		fflush(stdout);
		for (;;) pause();
	}
	printf("READY pid %d memfd 1048576 anon 2097152 zero 524288\n", getpid());
	fflush(stdout);
	for (;;) pause();
}
