/* Outputs appear whole or not at all: written under a temporary name in the
 * same directory, then renamed over the final name. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
