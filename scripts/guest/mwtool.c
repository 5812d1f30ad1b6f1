/*
 * mwtool: static multi-call helper run inside the capture guest.
 *
 * Built on the host with `gcc -static -O2` by scripts/capture and put in the
 * initramfs as /bin/mwtool.  The command is taken from argv[1], or from the
 * basename of argv[0] when the binary is invoked through a symlink whose name
 * is "mw-<command>" (so a workload can be given a realistic comm by calling it
 * through a symlink such as /usr/sbin/nginx -> mwtool with MW_CMD=tcp-listen).
 *
 * Every workload fills its memory with a non-zero, highly compressible
 * pattern so that small dumps compress well while no page is all zero.
 *
 * Commands (sizes accept K/M/G suffixes):
 *   hog SIZE BYTE            anonymous memory touched with BYTE, then sleep
 *   oomhog CHUNK BYTE        allocate and touch CHUNK after CHUNK forever
 *   fill DIR COUNT SIZE PFX  COUNT files DIR/PFX-NNNN of SIZE bytes (pattern)
 *   logwrite SIZE FILE...    append log lines (SIZE per file), keep files open, sleep
 *   logwrite-exit SIZE FILE... same, then exit
 *   shmfile PATH SIZE BYTE   create, map shared, touch, unlink, sleep
 *   sysvshm SIZE BYTE        shmget/shmat/touch/IPC_RMID, sleep
 *   tcp-listen PORT RCVBUF   listen on PORT, accept forever, never read
 *   udp-sink PORT RCVBUF     bound UDP socket never read, sleep
 *   unix-sink SIZE           stream + dgram socketpairs filled up to SIZE, sleep
 *   dentries DIR NNEG NPOS   NNEG negative lookups, NPOS empty files in DIR
 *   resid PATH...            per regular file: "R size resident_pages path"
 *   resid-maps PID           residency of PID's shared/deleted file mappings
 *   pipe-sink N SIZE         N pipes of SIZE filled and never read, sleep
 *   fragment SIZE BYTE       touch SIZE (no THP), free every other page, sleep
 *   kread ADDR...            8-byte values at kernel addresses (hex) from /proc/kcore
 *   bpf-load                 BPF maps of several types (some filled) and two socket
 *                            filter programs by raw bpf(2); prints each fd's
 *                            /proc/self/fdinfo, then sleeps holding them
 *   hugehold FILE FSIZE SHMSIZE ANONSIZE  hugetlbfs file, SHM_HUGETLB segment and
 *                            MAP_HUGETLB mapping touched and held, sleep
 *   zwrite DEV SIZE          half-compressible data to a block device (O_DIRECT)
 *   sleep                    sleep forever
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static long page_size;

static void die(const char *what)
{
	fprintf(stderr, "mwtool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	default: break;
	}
	return v;
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/* Fill buf with a repeating, non-zero text pattern. */
static void pattern_fill(char *buf, size_t len, const char *tag)
{
	static const char base[] =
		"memwhere-pattern-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-";
	size_t tl = strlen(tag), bl = sizeof(base) - 1, i = 0;
	while (i < len) {
		size_t j;
		for (j = 0; j < tl && i < len; j++)
			buf[i++] = tag[j];
		for (j = 0; j < bl && i < len; j++)
			buf[i++] = base[j];
		if (i < len)
			buf[i++] = '\n';
	}
}

static int cmd_hog(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t size = parse_size(argv[1]);
	int byte = (int)strtol(argv[2], NULL, 0);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, byte, size);
	printf("hog: %zu bytes touched with 0x%02x\n", size, byte);
	fflush(stdout);
	sleep_forever();
	return 0;
}

static int cmd_oomhog(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t chunk = parse_size(argv[1]);
	int byte = (int)strtol(argv[2], NULL, 0);
	unsigned long long total = 0;
	for (;;) {
		char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			usleep(1000);
			continue;
		}
		memset(p, byte, chunk);
		total += chunk;
		if ((total & ((64ULL << 20) - 1)) == 0) {
			printf("oomhog: %llu MiB\n", total >> 20);
			fflush(stdout);
		}
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int cmd_fill(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	const char *dir = argv[1];
	long count = strtol(argv[2], NULL, 0);
	size_t size = parse_size(argv[3]);
	const char *pfx = argv[4];
	char *buf = malloc(size ? size : 1);
	char path[PATH_MAX];
	if (!buf)
		die("malloc");
	for (long i = 0; i < count; i++) {
		char tag[64];
		snprintf(tag, sizeof(tag), "%s-%04ld:", pfx, i);
		pattern_fill(buf, size, tag);
		snprintf(path, sizeof(path), "%s/%s-%04ld", dir, pfx, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(path);
		if (write_all(fd, buf, size) < 0)
			die("write");
		close(fd);
	}
	free(buf);
	printf("fill: %ld files of %zu bytes in %s\n", count, size, dir);
	return 0;
}

static int logwrite(int argc, char **argv, int stay)
{
	if (argc < 3)
		return 2;
	unsigned long long size = parse_size(argv[1]);
	int nfiles = argc - 2;
	int *fds = calloc((size_t)nfiles, sizeof(int));
	char line[256];
	if (!fds)
		die("calloc");
	for (int f = 0; f < nfiles; f++) {
		fds[f] = open(argv[2 + f], O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fds[f] < 0)
			die(argv[2 + f]);
	}
	/* Buffer lines into 64 KiB writes: realistic enough and fast under TCG. */
	size_t cap = 65536, used = 0;
	char *out = malloc(cap);
	if (!out)
		die("malloc");
	for (int f = 0; f < nfiles; f++) {
		unsigned long long done = 0, seq = 0;
		while (done < size) {
			int n = snprintf(line, sizeof(line),
				"2025-01-01T00:00:%02llu.%06lluZ level=info "
				"msg=\"request served\" method=GET path=/api/v1/items "
				"status=200 bytes=512 req_id=%08llu\n",
				seq % 60, seq % 1000000, seq);
			seq++;
			if ((unsigned long long)n > size - done)
				n = (int)(size - done);
			if (used + (size_t)n > cap) {
				if (write_all(fds[f], out, used) < 0)
					die("write");
				used = 0;
			}
			memcpy(out + used, line, (size_t)n);
			used += (size_t)n;
			done += (unsigned long long)n;
		}
		if (used && write_all(fds[f], out, used) < 0)
			die("write");
		used = 0;
	}
	printf("logwrite: %d files, %llu bytes each\n", nfiles, size);
	fflush(stdout);
	if (stay)
		sleep_forever();
	return 0;
}

static void touch_pattern(char *p, size_t size, int byte)
{
	memset(p, byte, size);
}

static int cmd_shmfile(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	const char *path = argv[1];
	size_t size = parse_size(argv[2]);
	int byte = (int)strtol(argv[3], NULL, 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate");
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	touch_pattern(p, size, byte);
	close(fd);
	if (unlink(path) < 0)
		die("unlink");
	printf("shmfile: %s %zu bytes mapped and unlinked\n", path, size);
	fflush(stdout);
	sleep_forever();
	return 0;
}

static int cmd_sysvshm(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t size = parse_size(argv[1]);
	int byte = (int)strtol(argv[2], NULL, 0);
	int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	if (id < 0)
		die("shmget");
	char *p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	touch_pattern(p, size, byte);
	if (shmctl(id, IPC_RMID, NULL) < 0)
		die("shmctl");
	printf("sysvshm: id %d %zu bytes attached and removed\n", id, size);
	fflush(stdout);
	sleep_forever();
	return 0;
}

/* hugehold FILE FILE_SIZE SHM_SIZE ANON_SIZE: hugetlb holders (scenario
 * rest): FILE on a hugetlbfs mount mapped shared and touched, a SysV
 * SHM_HUGETLB segment (kept, not removed) and an anonymous MAP_HUGETLB
 * mapping, all touched with 0x48 and held until killed. */
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
static int cmd_hugehold(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	size_t fsize = parse_size(argv[2]), ssize = parse_size(argv[3]), asize = parse_size(argv[4]);
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(argv[1]);
	if (ftruncate(fd, (off_t)fsize) < 0)
		die("ftruncate");
	char *p = mmap(NULL, fsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap hugetlbfs file");
	memset(p, 0x48, fsize);
	int id = -1;
	if (ssize) {
		id = shmget(IPC_PRIVATE, ssize, IPC_CREAT | SHM_HUGETLB | 0600);
		if (id < 0)
			die("shmget SHM_HUGETLB");
		char *q = shmat(id, NULL, 0);
		if (q == (void *)-1)
			die("shmat");
		memset(q, 0x48, ssize);
	}
	if (asize) {
		char *a = mmap(NULL, asize, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (a == MAP_FAILED)
			die("mmap MAP_HUGETLB");
		memset(a, 0x48, asize);
	}
	printf("hugehold: file %s %zu bytes, shm id %d %zu bytes, anon %zu bytes\n",
	       argv[1], fsize, id, ssize, asize);
	fflush(stdout);
	sleep_forever();
	return 0;
}

/* zwrite DEV SIZE: SIZE bytes to a block device with O_DIRECT, every 4 KiB
 * block half pseudo-random and half text (compresses to about half; never
 * a same-filled page, which zram would not store). */
static int cmd_zwrite(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t size = parse_size(argv[2]), chunk = 1 << 20;
	int fd = open(argv[1], O_WRONLY | O_DIRECT);
	if (fd < 0)
		die(argv[1]);
	char *buf = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t done = 0;
	while (done < size) {
		size_t n = size - done < chunk ? size - done : chunk;
		for (size_t off = 0; off < n; off += 4096) {
			for (size_t i = 0; i < 2048; i += 8) {
				x ^= x << 13; x ^= x >> 7; x ^= x << 17;
				memcpy(buf + off + i, &x, 8);
			}
			pattern_fill(buf + off + 2048, 2048, "zram");
		}
		if (write_all(fd, buf, n) < 0)
			die("write");
		done += n;
	}
	if (fsync(fd) < 0)
		die("fsync");
	close(fd);
	printf("zwrite: %zu bytes to %s\n", size, argv[1]);
	return 0;
}

static void set_rcvbuf(int s, int rcvbuf)
{
	if (rcvbuf <= 0)
		return;
	/* SO_RCVBUFFORCE ignores net.core.rmem_max (we run as root). */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

static int cmd_tcp_listen(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int port = atoi(argv[1]);
	int rcvbuf = argc > 2 ? (int)parse_size(argv[2]) : 0;
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_rcvbuf(s, rcvbuf);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(s, 128) < 0)
		die("listen");
	printf("tcp-listen: port %d rcvbuf %d\n", port, rcvbuf);
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		/* Keep the connection open and never read from it. */
		printf("tcp-listen: accepted fd %d\n", c);
		fflush(stdout);
	}
	return 0;
}

static int cmd_udp_sink(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int port = atoi(argv[1]);
	int rcvbuf = argc > 2 ? (int)parse_size(argv[2]) : 0;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		die("socket");
	set_rcvbuf(s, rcvbuf);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	printf("udp-sink: port %d\n", port);
	fflush(stdout);
	sleep_forever();
	return 0;
}

static unsigned long long fill_socket(int s, unsigned long long limit, size_t chunk)
{
	char buf[4096];
	unsigned long long sent = 0;
	pattern_fill(buf, sizeof(buf), "unix:");
	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	while (sent < limit) {
		ssize_t n = send(s, buf, chunk, MSG_DONTWAIT);
		if (n <= 0)
			break;
		sent += (unsigned long long)n;
	}
	return sent;
}

static int cmd_unix_sink(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	unsigned long long size = parse_size(argv[1]);
	int st[2], dg[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, st) < 0)
		die("socketpair stream");
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0)
		die("socketpair dgram");
	int big = (int)size;
	setsockopt(st[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(dg[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	unsigned long long a = fill_socket(st[0], size, 1000);
	unsigned long long b = fill_socket(dg[0], size / 4, 100);
	printf("unix-sink: stream fds %d/%d queued %llu, dgram fds %d/%d queued %llu\n",
	       st[0], st[1], a, dg[0], dg[1], b);
	fflush(stdout);
	sleep_forever();
	return 0;
}

static int cmd_dentries(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	const char *dir = argv[1];
	long nneg = strtol(argv[2], NULL, 0), npos = strtol(argv[3], NULL, 0);
	char path[PATH_MAX];
	struct stat st;
	long found = 0;
	for (long i = 0; i < nneg; i++) {
		snprintf(path, sizeof(path), "%s/missing-lib-%07ld.so", dir, i);
		if (stat(path, &st) == 0)
			found++;
	}
	for (long i = 0; i < npos; i++) {
		snprintf(path, sizeof(path), "%s/entry-%07ld", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			die(path);
		close(fd);
	}
	printf("dentries: %ld negative lookups (%ld existed), %ld files in %s\n",
	       nneg, found, npos, dir);
	return 0;
}

static int resid_fd(int fd, unsigned long long size, unsigned long long *resident)
{
	*resident = 0;
	if (size == 0)
		return 0;
	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	size_t pages = (size_t)((size + (unsigned long long)page_size - 1) / (unsigned long long)page_size);
	unsigned char *vec = malloc(pages);
	if (!vec) {
		munmap(p, (size_t)size);
		return -1;
	}
	if (mincore(p, (size_t)size, vec) < 0) {
		free(vec);
		munmap(p, (size_t)size);
		return -1;
	}
	for (size_t i = 0; i < pages; i++)
		if (vec[i] & 1)
			(*resident)++;
	free(vec);
	munmap(p, (size_t)size);
	return 0;
}

static void resid_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		if (!d)
			return;
		while ((e = readdir(d))) {
			char sub[PATH_MAX];
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			resid_path(sub);
		}
		closedir(d);
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	int fd = open(path, O_RDONLY | O_NOATIME);
	if (fd < 0)
		fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	unsigned long long res = 0;
	if (resid_fd(fd, (unsigned long long)st.st_size, &res) == 0)
		printf("R %llu %llu %lu %s\n", (unsigned long long)st.st_size, res,
		       (unsigned long)st.st_ino, path);
	else
		printf("E %llu %s %s\n", (unsigned long long)st.st_size, strerror(errno), path);
	close(fd);
}

static int cmd_resid(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		resid_path(argv[i]);
	return 0;
}

/* Shared file mappings of a task, measured through /proc/PID/map_files. */
static int cmd_resid_maps(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	char path[PATH_MAX], line[1024];
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off, ino;
		char perms[8], dev[16];
		int name_at = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off,
			   dev, &ino, &name_at) < 6 || ino == 0 || perms[3] != 's')
			continue;
		char *name = line + name_at;
		name[strcspn(name, "\n")] = 0;
		char mf[PATH_MAX];
		snprintf(mf, sizeof(mf), "/proc/%s/map_files/%lx-%lx", argv[1], lo, hi);
		int fd = open(mf, O_RDONLY);
		if (fd < 0)
			continue;
		struct stat st;
		unsigned long long res = 0;
		if (fstat(fd, &st) == 0 &&
		    resid_fd(fd, (unsigned long long)st.st_size, &res) == 0)
			printf("M %llu %llu %lu %s\n", (unsigned long long)st.st_size, res,
			       (unsigned long)st.st_ino, name);
		close(fd);
	}
	fclose(f);
	return 0;
}

/* pipe-sink N SIZE: N pipes enlarged to SIZE and filled, never read.
 * Pipe buffer pages come straight from the page allocator: no meminfo
 * counter shows them (memcg kmem only). */
static int cmd_pipe_sink(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	int n = atoi(argv[1]);
	int size = (int)parse_size(argv[2]);
	char buf[4096];
	unsigned long long total = 0;
	pattern_fill(buf, sizeof(buf), "pipe:");
	for (int i = 0; i < n; i++) {
		int p[2];
		if (pipe2(p, O_NONBLOCK) < 0)
			die("pipe2");
		if (size > 0)
			fcntl(p[1], F_SETPIPE_SZ, size);
		for (;;) {
			ssize_t w = write(p[1], buf, sizeof(buf));
			if (w <= 0)
				break;
			total += (unsigned long long)w;
		}
	}
	printf("pipe-sink: %d pipes, %llu bytes queued\n", n, total);
	fflush(stdout);
	sleep_forever();
	return 0;
}

/* fragment SIZE BYTE: touch SIZE of anon memory (no THP) with BYTE, then
 * give back every other page: the freed order-0 pages split the free lists. */
static int cmd_fragment(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	size_t size = parse_size(argv[1]);
	int byte = (int)strtol(argv[2], NULL, 0);
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, size, MADV_NOHUGEPAGE);
	memset(p, byte, size);
	size_t kept = 0;
	for (size_t off = 0; off + (size_t)page_size <= size; off += 2 * (size_t)page_size) {
		madvise(p + off, (size_t)page_size, MADV_DONTNEED);
		kept++;
	}
	printf("fragment: %zu bytes touched with 0x%02x, %zu pages given back\n", size, byte, kept);
	fflush(stdout);
	sleep_forever();
	return 0;
}

/* kread ADDR...: 8-byte values at kernel virtual addresses, via /proc/kcore. */
#include <elf.h>
static int cmd_kread(int argc, char **argv)
{
	int fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0)
		die("/proc/kcore");
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		die("kcore header");
	Elf64_Phdr *ph = calloc(eh.e_phnum, sizeof(*ph));
	if (!ph || pread(fd, ph, eh.e_phnum * sizeof(*ph), (off_t)eh.e_phoff) !=
		   (ssize_t)(eh.e_phnum * sizeof(*ph)))
		die("kcore phdrs");
	for (int i = 1; i < argc; i++) {
		unsigned long long a = strtoull(argv[i], NULL, 16), v = 0;
		int found = 0;
		for (int j = 0; j < eh.e_phnum && !found; j++) {
			if (ph[j].p_type != PT_LOAD || a < ph[j].p_vaddr ||
			    a + 8 > ph[j].p_vaddr + ph[j].p_memsz)
				continue;
			if (pread(fd, &v, 8, (off_t)(ph[j].p_offset + (a - ph[j].p_vaddr))) == 8)
				found = 1;
		}
		if (found)
			printf("%s 0x%016llx\n", argv[i], v);
		else
			printf("%s ?\n", argv[i]);
	}
	free(ph);
	close(fd);
	return 0;
}

/* bpf-load: BPF maps and programs made by raw bpf(2) syscalls (no libbpf),
 * each fd's fdinfo printed between "bpf-load: map NAME fd N" or
 * "bpf-load: prog NAME fd N" and "bpf-load: end"; then sleep holding them. */
#include <linux/bpf.h>
#include <sys/syscall.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void bpf_fdinfo(const char *kind, const char *name, int fd)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	int f = open(path, O_RDONLY);
	ssize_t n = f < 0 ? -1 : read(f, buf, sizeof(buf) - 1);
	if (f >= 0)
		close(f);
	printf("bpf-load: %s %s fd %d\n", kind, name, fd);
	if (n > 0) {
		buf[n] = '\0';
		fputs(buf, stdout);
		if (buf[n - 1] != '\n')
			putchar('\n');
	}
	printf("bpf-load: end\n");
}

static int bpf_map(const char *name, unsigned type, unsigned key, unsigned value,
		   unsigned entries, unsigned flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key;
	a.value_size = value;
	a.max_entries = entries;
	a.map_flags = flags;
	strncpy(a.map_name, name, sizeof(a.map_name) - 1);
	int fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		printf("bpf-load: map %s not created: %s\n", name, strerror(errno));
	return fd;
}

/* fill entries of a hash map: key i (8 bytes or 4), value bytes of i */
static void bpf_fill(int fd, unsigned key_size, unsigned value_size, unsigned n)
{
	char *v = calloc(1, value_size);
	if (!v)
		die("calloc");
	for (unsigned i = 0; i < n; i++) {
		uint64_t k = i;
		memset(v, (int)(i & 0xff) | 1, value_size);
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (unsigned)fd;
		a.key = (uint64_t)(uintptr_t)&k;
		a.value = (uint64_t)(uintptr_t)v;
		a.flags = BPF_ANY;
		(void)key_size;
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0) {
			printf("bpf-load: update %u: %s\n", i, strerror(errno));
			break;
		}
	}
	free(v);
}

static int bpf_prog(const char *name, unsigned nr_insns)
{
	struct bpf_insn *insn = calloc(nr_insns, sizeof(*insn));
	if (!insn || nr_insns < 2)
		die("calloc");
	/* r0 = i (nr_insns - 1 times), exit: returns nr_insns - 2 */
	for (unsigned i = 0; i + 1 < nr_insns; i++) {
		insn[i].code = BPF_ALU64 | BPF_MOV | BPF_K;
		insn[i].dst_reg = BPF_REG_0;
		insn[i].imm = (int)i;
	}
	insn[nr_insns - 1].code = BPF_JMP | BPF_EXIT;
	static char license[] = "GPL";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)insn;
	a.insn_cnt = nr_insns;
	a.license = (uint64_t)(uintptr_t)license;
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		printf("bpf-load: prog %s not loaded: %s\n", name, strerror(errno));
	free(insn);
	return fd;
}

static int cmd_bpf_load(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static const struct {
		const char *name;
		unsigned type, key, value, entries, flags, fill;
	} maps[] = {
		{ "mw_hash", BPF_MAP_TYPE_HASH, 8, 64, 1000, 0, 200 },
		{ "mw_hash_np", BPF_MAP_TYPE_HASH, 8, 256, 4096, BPF_F_NO_PREALLOC, 300 },
		{ "mw_pcpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 8, 16, 512, 0, 0 },
		{ "mw_lru", BPF_MAP_TYPE_LRU_HASH, 8, 32, 1024, 0, 0 },
		{ "mw_array", BPF_MAP_TYPE_ARRAY, 4, 1024, 2048, 0, 0 },
		{ "mw_pcpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 120, 256, 0, 0 },
		{ "mw_mmap_array", BPF_MAP_TYPE_ARRAY, 4, 4096, 64, BPF_F_MMAPABLE, 0 },
		{ "mw_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0, 65536, 0, 0 },
	};
	/* before 5.11 map and program memory counts against RLIMIT_MEMLOCK
	 * (64 KiB by default), not a memory cgroup: lift it, as bpftool does */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		perror("bpf-load: setrlimit RLIMIT_MEMLOCK");
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int fd = bpf_map(maps[i].name, maps[i].type, maps[i].key, maps[i].value,
				 maps[i].entries, maps[i].flags);
		if (fd < 0)
			continue;
		if (maps[i].fill)
			bpf_fill(fd, maps[i].key, maps[i].value, maps[i].fill);
		bpf_fdinfo("map", maps[i].name, fd);
	}
	static const struct { const char *name; unsigned insns; } progs[] = {
		{ "mw_small", 2 }, { "mw_large", 3000 },
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int fd = bpf_prog(progs[i].name, progs[i].insns);
		if (fd >= 0)
			bpf_fdinfo("prog", progs[i].name, fd);
	}
	printf("bpf-load: ready\n");
	fflush(stdout);
	sleep_forever();
	return 0;
}

struct cmd {
	const char *name;
	int (*fn)(int, char **);
	int stay;
};

static int cmd_logwrite(int argc, char **argv) { return logwrite(argc, argv, 1); }
static int cmd_logwrite_exit(int argc, char **argv) { return logwrite(argc, argv, 0); }
static int cmd_sleep(int argc, char **argv) { (void)argc; (void)argv; sleep_forever(); return 0; }

/* mwtool pagesize: the kernel's page size (the unit of mincore and of the
 * page counts in /proc) */
static int cmd_pagesize(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("%ld\n", page_size);
	return 0;
}

static const struct cmd cmds[] = {
	{ "hog", cmd_hog, 0 },
	{ "oomhog", cmd_oomhog, 0 },
	{ "fill", cmd_fill, 0 },
	{ "logwrite", cmd_logwrite, 0 },
	{ "logwrite-exit", cmd_logwrite_exit, 0 },
	{ "shmfile", cmd_shmfile, 0 },
	{ "sysvshm", cmd_sysvshm, 0 },
	{ "tcp-listen", cmd_tcp_listen, 0 },
	{ "udp-sink", cmd_udp_sink, 0 },
	{ "unix-sink", cmd_unix_sink, 0 },
	{ "dentries", cmd_dentries, 0 },
	{ "resid", cmd_resid, 0 },
	{ "resid-maps", cmd_resid_maps, 0 },
	{ "kread", cmd_kread, 0 },
	{ "bpf-load", cmd_bpf_load, 0 },
	{ "pipe-sink", cmd_pipe_sink, 0 },
	{ "fragment", cmd_fragment, 0 },
	{ "sleep", cmd_sleep, 0 },
	{ "pagesize", cmd_pagesize, 0 },
	{ "hugehold", cmd_hugehold, 0 },
	{ "zwrite", cmd_zwrite, 0 },
};

int main(int argc, char **argv)
{
	page_size = sysconf(_SC_PAGESIZE);
	signal(SIGPIPE, SIG_IGN);
	/* The command comes from $MW_CMD (set when run under a workload name
	 * through a symlink), else argv[1]. */
	const char *env = getenv("MW_CMD");
	int shift = 1;
	const char *name = argc > 1 ? argv[1] : "";
	if (env && *env) {
		name = env;
		shift = 0;
		unsetenv("MW_CMD");
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmds[i].name, name)) {
			int rc = cmds[i].fn(argc - shift, argv + shift);
			if (rc == 2)
				fprintf(stderr, "mwtool %s: bad arguments\n", name);
			return rc;
		}
	}
	fprintf(stderr, "usage: mwtool COMMAND ARGS (see scripts/guest/mwtool.c)\n");
	return 2;
}
