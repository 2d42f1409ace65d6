/* Where scenario files come from: the disk, or the default scenario that the
 * build compiles into the library (so `poolscreen plan` works anywhere). */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <pthread.h>
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

/* The names after the "embedded:<scenario>/" prefix, made once. */
static const char *default_names[16];
static pthread_once_t default_names_once = PTHREAD_ONCE_INIT;

static void make_default_names(void) {
  size_t n = psc__embedded_count < 15 ? psc__embedded_count : 15;
  for (size_t i = 0; i < n; i++) {
    const char *slash = strrchr(psc__embedded_files[i].path, '/');
    default_names[i] = slash ? slash + 1 : psc__embedded_files[i].path;
  }
  default_names[n] = NULL;
}

const char *const *psc_scenario_default_files(void) {
  pthread_once(&default_names_once, make_default_names);
  return default_names;
}

int psc_scenario_write_default(const char *dir) {
  if (!dir || !*dir)
    return PSC_EINVAL;
  size_t n = psc__embedded_count;
  char **tmp = calloc(n + 1, sizeof(char *)), **path = calloc(n + 1, sizeof(char *));
  int rc = tmp && path ? psc__mkdir_p(dir) : PSC_ENOMEM;
  const char *const *names = psc_scenario_default_files();
  for (size_t i = 0; !rc && i < n; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    if (!(path[i] = malloc(len))) {
      rc = PSC_ENOMEM;
      break;
    }
    snprintf(path[i], len, "%s/%s", dir, names[i]);
    if (!(tmp[i] = psc__temp_name(path[i]))) {
      rc = PSC_ENOMEM;
      break;
    }
    FILE *f = fopen(tmp[i], "wb");
    if (!f) {
      rc = PSC_EIO;
      break;
    }
    size_t size = psc__embedded_files[i].size;
    if (fwrite(psc__embedded_files[i].data, 1, size, f) != size)
      rc = PSC_EIO;
    if (fclose(f) != 0)
      rc = PSC_EIO;
  }
  if (tmp && path)
    rc = psc__commit_files(tmp, path, n, rc);
  free(tmp);
  free(path);
  return rc;
}
