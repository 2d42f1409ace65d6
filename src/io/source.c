/* Where scenario files come from: the disk, or the default scenario that the
 * build compiles into the library (so `poolscreen plan` works anywhere). */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/embedded.h"

static FILE *disk_open(const void *ctx, const char *path) {
  (void)ctx;
  return fopen(path, "rb");
}

static FILE *embedded_open(const void *ctx, const char *path) {
  (void)ctx;
  for (size_t i = 0; i < psc__embedded_count; i++) {
    if (!strcmp(psc__embedded_files[i].path, path)) {
      if (psc__embedded_files[i].size == 0) {
        /* fmemopen refuses a zero size; an empty file reads as empty */
        return fopen("/dev/null", "rb");
      }
      return fmemopen((void *)psc__embedded_files[i].data, psc__embedded_files[i].size, "rb");
    }
  }
  errno = ENOENT;
  return NULL;
}

const psc__source_t psc__disk_source = {disk_open, NULL};
const psc__source_t psc__embedded_source = {embedded_open, NULL};

char *psc__path_join_dir(const char *base, const char *rel) {
  if (rel[0] == '/')
    return psc__strdup(rel);
  const char *slash = strrchr(base, '/');
  size_t dir = slash ? (size_t)(slash - base) + 1 : 0;
  size_t n = strlen(rel);
  char *r = malloc(dir + n + 1);
  if (!r)
    return NULL;
  memcpy(r, base, dir);
  memcpy(r + dir, rel, n + 1);
  return r;
}
