/*
 * fuzz_regress_main.c: runs the NVD fuzz harness (fuzz_nvd.c) once over each input named on the
 * command line, without libFuzzer, so that `make test` replays test/fuzz/regress (inputs that
 * once failed) on every run, under valgrind, with the compiler the rest of the tests use.
 *
 * With no arguments it replays every file in test/fuzz/regress (the harness runs unit tests from
 * the top of the checkout). The harness aborts on a failed check; this driver exits non-zero on an
 * unreadable input or an empty folder.
 */
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole of PATH into a malloc'd buffer; returns NULL (and says why) on failure. */
static uint8_t *
read_input(const char *path, size_t *size)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf = NULL;
	size_t		cap = 0;
	size_t		n = 0;

	if (f == NULL)
	{
		perror(path);
		return NULL;
	}
	for (;;)
	{
		size_t		got;

		if (n == cap)
		{
			uint8_t    *grown = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (grown == NULL)
			{
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
	{
		perror(path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

/* Replays one input; returns 0 when it ran (a failed check aborts inside the harness). */
static int
replay(int n, const char *path)
{
	size_t		size;
	uint8_t    *data = read_input(path, &size);

	if (data == NULL)
	{
		printf("not ok %d - %s: cannot be read\n", n, path);
		return 1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	printf("ok %d - %s (%zu bytes)\n", n, path, size);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dir = "test/fuzz/regress";
	int			failed = 0;
	int			n = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1)
		for (int i = 1; i < argc; i++)
			failed += replay(++n, argv[i]);
	else
	{
		DIR		   *d = opendir(dir);
		struct dirent *e;

		if (d == NULL)
		{
			perror(dir);
			return 1;
		}
		while ((e = readdir(d)) != NULL)
		{
			char		path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			failed += replay(++n, path);
		}
		closedir(d);
	}
	printf("%d inputs, %d failed\n", n, failed);
	return failed != 0 || n == 0;
}
