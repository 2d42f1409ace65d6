/* Outputs appear whole or not at all: written under a temporary name in the
 * same directory, then renamed over the final name. */
#define _GNU_SOURCE
#include "internal.h"
#include "poolscreen/output.h"

#include <csv.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

char *psc__temp_name(const char *path) {
  size_t n = strlen(path) + 32;
  char *t = malloc(n);
  if (t)
    snprintf(t, n, "%s.tmp-%ld", path, (long)getpid());
  return t;
}

int psc__commit_file(const char *tmp, const char *path) {
  if (rename(tmp, path) != 0) {
    int saved = errno;
    remove(tmp);
    errno = saved;
    return PSC_EIO;
  }
  return 0;
}

int psc__mkdir_p(const char *dir) {
  char *d = psc__strdup(dir);
  if (!d)
    return PSC_ENOMEM;
  for (char *p = d + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(d, 0777) != 0 && errno != EEXIST) {
      free(d);
      return PSC_EIO;
    }
    *p = '/';
  }
  int rc = (mkdir(d, 0777) != 0 && errno != EEXIST) ? PSC_EIO : 0;
  free(d);
  return rc;
}

void psc__csv_put_text(FILE *f, const char *s) {
  /* a leading = + - @ (or tab, CR) would make a spreadsheet run the text
   * as a formula: it is written quoted after a ' (as io/text_out.c does) */
  if (*s && strchr("=+-@\t\r", *s)) {
    fputs("\"'", f);
    for (const char *p = s; *p; p++) {
      if (*p == '"')
        fputc('"', f);
      fputc(*p, f);
    }
    fputc('"', f);
  } else if (strpbrk(s, ",\"\r\n"))
    csv_fwrite(f, s, strlen(s));
  else
    fputs(s, f);
}

int psc__write_files(const char *dir, const psc__out_file_t *files, size_t n, const void *ctx) {
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(dir, &set);
  if (!rc)
    rc = psc__outset_write(set, files, n, n, ctx);
  psc_outset_free(set);
  return rc;
}

int psc__write_file(const char *path, const psc__out_file_t *of, const void *ctx) {
  char *dir = psc__strdup(path), *tmp = psc__temp_name(path);
  char *slash = dir ? strrchr(dir, '/') : NULL;
  int rc = dir && tmp ? 0 : PSC_ENOMEM;
  if (!rc && slash && slash != dir) {
    *slash = '\0';
    rc = psc__mkdir_p(dir);
  }
  free(dir);
  if (rc) {
    free(tmp);
    return rc;
  }
  rc = of->to_path(ctx, tmp);
  if (rc)
    remove(tmp);
  else
    rc = psc__commit_file(tmp, path);
  free(tmp);
  return rc;
}

int psc__commit_files(char **tmp, char **path, size_t n, int rc) {
  for (size_t k = 0; k < n; k++) {
    if (tmp[k]) {
      if (!rc)
        rc = psc__commit_file(tmp[k], path[k]);
      else
        remove(tmp[k]);
    }
    free(tmp[k]);
    free(path[k]);
    tmp[k] = path[k] = NULL;
  }
  return rc;
}

int psc__copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = in >= 0 && out >= 0 ? 0 : PSC_EIO;
  /* copy_file_range copies inside the kernel; plain reads and writes where
   * it is not supported */
  ssize_t k = 0;
  while (!rc && (k = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
    ;
  if (!rc && k < 0) {
    char buf[1 << 16];
    ssize_t n;
    if (lseek(in, 0, SEEK_SET) != 0 || ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0)
      rc = PSC_EIO;
    while (!rc && (n = read(in, buf, sizeof buf)) > 0)
      if (write(out, buf, (size_t)n) != n)
        rc = PSC_EIO;
    if (n < 0)
      rc = PSC_EIO;
  }
  if (in >= 0)
    close(in);
  if (out >= 0 && close(out) != 0)
    rc = PSC_EIO;
  return rc;
}
