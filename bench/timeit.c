/*
 * timeit.c - run a command N times, stdin from a file, and print the
 * median, 99th percentile and maximum wall time in milliseconds and the
 * largest peak RSS in KiB. A fresh process each time, as Postfix's pipe
 * transport starts one per bounce.
 * usage: timeit N INPUT|- CMD [ARG...]    ("-": no stdin; an INPUT
 * with %d is a pattern, formatted with the run's number from 0)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int n, i, status;
	double *t;
	long maxrss = 0;

	if (argc < 4)
		return 64;
	n = atoi(argv[1]);
	if (n < 1)
		return 64;
	t = calloc((size_t)n, sizeof(*t));
	for (i = 0; i < n; i++) {
		struct timespec a, b;
		struct rusage ru;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		if ((pid = fork()) == 0) {
			char path[4096];
			int fd;

			snprintf(path, sizeof(path), argv[2], i);
			fd = argv[2][0] == '-' && argv[2][1] == 0 ?
			    open("/dev/null", O_RDONLY) : open(path, O_RDONLY);

			if (fd == -1)
				_exit(66);
			dup2(fd, 0);
			fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		wait4(pid, &status, 0, &ru);
		clock_gettime(CLOCK_MONOTONIC, &b);
		/* 1 is "not found" for postmap -q: an answer, not a failure */
		if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
			fprintf(stderr, "timeit: %s exited %d\n", argv[3],
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			return 1;
		}
		t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%.3f %.3f %.3f %ld\n", t[(n - 1) / 2],
	    t[(int)((double)(n - 1) * 0.99)], t[n - 1], maxrss);
	free(t);
	return 0;
}
