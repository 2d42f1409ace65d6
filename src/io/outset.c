/* One command's outputs as one set: every file is written into a staging
 * folder beside the target folder, which is then swapped in with one rename
 * (renameat2 RENAME_EXCHANGE when the target exists). Entries of the target
 * that are not the command's own files are carried over as hard links, so the
 * swap never loses a file that was not ours. A killed run leaves only its
 * staging folder, named .<target>.psc-new-<pid>, which the next run into the
 * same place recognises by its dead pid and removes. */
#define _GNU_SOURCE
#include "internal.h"
#include "poolscreen/output.h"

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct psc_outset {
  char *dir;      /* as given */
  char *parent;   /* folder holding the target ("." when none given) */
  char *base;     /* the target's name in parent */
  char *target;   /* parent/base */
  char *staging;  /* parent/.base.psc-new-PID */
  char *old;      /* parent/.base.psc-old-PID (only without RENAME_EXCHANGE) */
  char **made;    /* parent folders made by psc_outset_open, outermost first */
  size_t nmade;
  int committed;
  char err[PATH_MAX + 256];
};

static void set_error(psc_outset_t *s, const char *path, int e) {
  snprintf(s->err, sizeof s->err, "%s: %s", path,
           e ? strerror(e) : "the HDF5 library failed (no system reason)");
}

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", a, b);
  return p;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
  va_list ap, aq;
  va_start(ap, f);
  va_copy(aq, ap);
  int n = vsnprintf(NULL, 0, f, ap);
  va_end(ap);
  char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (p)
    vsnprintf(p, (size_t)n + 1, f, aq);
  va_end(aq);
  return p;
}

/* Removes path and everything under it, without following symbolic links.
 * 0 or -1 with errno. */
static int rm_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode))
    return unlink(path);
  DIR *d = opendir(path);
  if (!d)
    return -1;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char *sub = join(path, e->d_name);
    if (!sub || rm_tree(sub) != 0)
      rc = -1;
    free(sub);
  }
  closedir(d);
  return rmdir(path) == 0 ? rc : -1;
}

/* Copies the tree at from to to as hard links (folders are made anew with
 * their modes). 0, or -1 with errno and *bad the failing path. */
static int link_tree(const char *from, const char *to, char **bad) {
  struct stat st;
  if (lstat(from, &st) != 0) {
    *bad = psc__strdup(from);
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (linkat(AT_FDCWD, from, AT_FDCWD, to, 0) != 0) {
      *bad = psc__strdup(to);
      return -1;
    }
    return 0;
  }
  if (mkdir(to, st.st_mode & 07777) != 0) {
    *bad = psc__strdup(to);
    return -1;
  }
  DIR *d = opendir(from);
  if (!d) {
    *bad = psc__strdup(from);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char *a = join(from, e->d_name), *b = join(to, e->d_name);
    if (!a || !b) {
      errno = ENOMEM;
      rc = -1;
    } else
      rc = link_tree(a, b, bad);
    free(a);
    free(b);
  }
  int saved = errno;
  closedir(d);
  errno = saved;
  return rc;
}

static int pid_dead(long pid) {
  return pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The pid at the end of name after prefix, or -1 when name does not have the
 * shape prefix<digits>. */
static long pid_after(const char *name, const char *prefix) {
  size_t n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0 || !name[n])
    return -1;
  char *end;
  long pid = strtol(name + n, &end, 10);
  return *end || pid <= 0 ? -1 : pid;
}

/* A file of an older poolscreen's killed run: "<name>.tmp-<dead pid>". */
static int stale_temp(const char *name) {
  const char *t = strstr(name, ".tmp-");
  while (t && strstr(t + 1, ".tmp-"))
    t = strstr(t + 1, ".tmp-");
  return t && pid_dead(pid_after(t, ".tmp-"));
}

/* Removes what killed runs into this target left: staging folders, and the
 * set a killed run had moved aside (put back when the target is missing). */
static void remove_leftovers(psc_outset_t *s) {
  char *pnew = fmt(".%s.psc-new-", s->base), *pold = fmt(".%s.psc-old-", s->base);
  DIR *d = pnew && pold ? opendir(s->parent) : NULL;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    long pn = pid_after(e->d_name, pnew), po = pid_after(e->d_name, pold);
    if (!pid_dead(pn) && !pid_dead(po))
      continue;
    char *p = join(s->parent, e->d_name);
    struct stat st;
    if (p && pid_dead(po) && lstat(s->target, &st) != 0 && errno == ENOENT)
      rename(p, s->target);
    else if (p)
      rm_tree(p);
    free(p);
  }
  if (d)
    closedir(d);
  free(pnew);
  free(pold);
  d = opendir(s->target);
  while (d && (e = readdir(d))) {
    if (!stale_temp(e->d_name))
      continue;
    char *p = join(s->target, e->d_name);
    if (p)
      rm_tree(p);
    free(p);
  }
  if (d)
    closedir(d);
}

/* Makes the missing folders of path, remembering them to undo. */
static int make_parents(psc_outset_t *s, const char *path) {
  char *d = psc__strdup(path);
  if (!d)
    return PSC_ENOMEM;
  size_t n = strlen(d);
  for (size_t i = 1; i <= n; i++) {
    if (d[i] != '/' && d[i] != '\0')
      continue;
    char saved = d[i];
    d[i] = '\0';
    struct stat st;
    if (stat(d, &st) != 0) {
      char **m = realloc(s->made, (s->nmade + 1) * sizeof(*m));
      if (!m) {
        free(d);
        return PSC_ENOMEM;
      }
      s->made = m;
      if (mkdir(d, 0777) != 0 || !(m[s->nmade] = psc__strdup(d))) {
        set_error(s, d, errno);
        free(d);
        return PSC_EIO;
      }
      s->nmade++;
    } else if (!S_ISDIR(st.st_mode)) {
      set_error(s, d, ENOTDIR);
      free(d);
      return PSC_EIO;
    }
    d[i] = saved;
  }
  free(d);
  return 0;
}

/* Splits dir into parent and base; "." and ".." are resolved first. */
static int split(psc_outset_t *s) {
  char *d = psc__strdup(s->dir);
  if (!d)
    return PSC_ENOMEM;
  size_t n = strlen(d);
  while (n > 1 && d[n - 1] == '/')
    d[--n] = '\0';
  char *slash = strrchr(d, '/');
  const char *last = slash ? slash + 1 : d;
  struct stat lst;
  /* ".", ".." and a symbolic link to a folder: the real folder is swapped
   * (the link keeps pointing at its path) */
  int link_to_dir = lstat(d, &lst) == 0 && S_ISLNK(lst.st_mode) && stat(d, &lst) == 0 &&
                    S_ISDIR(lst.st_mode);
  if (!strcmp(last, ".") || !strcmp(last, "..") || link_to_dir) {
    char *real = realpath(d, NULL);
    free(d);
    if (!real) {
      set_error(s, s->dir, errno);
      return PSC_EIO;
    }
    d = real;
    slash = strrchr(d, '/');
  }
  if (slash && slash[1] == '\0') { /* "/" */
    set_error(s, s->dir, EBUSY);
    free(d);
    return PSC_EIO;
  }
  s->base = psc__strdup(slash ? slash + 1 : d);
  if (slash == d)
    s->parent = psc__strdup("/");
  else if (slash) {
    *slash = '\0';
    s->parent = psc__strdup(d);
  } else
    s->parent = psc__strdup(".");
  free(d);
  return s->base && s->parent ? 0 : PSC_ENOMEM;
}

int psc_outset_open(const char *dir, psc_outset_t **out) {
  if (!out)
    return PSC_EINVAL;
  *out = NULL;
  if (!dir || !*dir)
    return PSC_EINVAL;
  psc_outset_t *s = calloc(1, sizeof(*s));
  if (!s || !(s->dir = psc__strdup(dir))) {
    free(s);
    return PSC_ENOMEM;
  }
  *out = s;
  int rc = split(s);
  if (rc)
    return rc;
  s->target = join(s->parent, s->base);
  s->staging = fmt("%s/.%s.psc-new-%ld", s->parent, s->base, (long)getpid());
  s->old = fmt("%s/.%s.psc-old-%ld", s->parent, s->base, (long)getpid());
  if (!s->target || !s->staging || !s->old)
    return PSC_ENOMEM;
  if ((rc = make_parents(s, s->parent)))
    return rc;
  remove_leftovers(s);
  struct stat st;
  if (lstat(s->target, &st) == 0 && !S_ISDIR(st.st_mode)) {
    set_error(s, s->dir, ENOTDIR);
    return PSC_EIO;
  }
  rm_tree(s->staging); /* our own pid's, from a reused pid */
  if (mkdir(s->staging, 0777) != 0) {
    set_error(s, s->parent, errno);
    return PSC_EIO;
  }
  return 0;
}

const char *psc_outset_error(const psc_outset_t *set) { return set ? set->err : ""; }

const char *psc_outset_dir(const psc_outset_t *set) { return set ? set->dir : ""; }

void psc_outset_free(psc_outset_t *s) {
  if (!s)
    return;
  if (!s->committed) {
    if (s->staging)
      rm_tree(s->staging);
    for (size_t k = s->nmade; k-- > 0;)
      rmdir(s->made[k]);
  }
  for (size_t k = 0; k < s->nmade; k++)
    free(s->made[k]);
  free(s->made);
  free(s->dir);
  free(s->parent);
  free(s->base);
  free(s->target);
  free(s->staging);
  free(s->old);
  free(s);
}

/* A text file through a large stdio buffer; errno tells why it failed. */
static int write_stream(const psc__out_file_t *of, const void *ctx, const char *path) {
  FILE *f = fopen(path, "wb");
  char *buf = malloc(1 << 16);
  int rc = f && buf ? 0 : PSC_EIO;
  if (!rc) {
    setvbuf(f, buf, _IOFBF, 1 << 16);
    rc = of->fn(ctx, f);
    if (!rc && (fflush(f) != 0 || ferror(f)))
      rc = PSC_EIO;
  }
  int saved = errno;
  if (f && fclose(f) != 0 && !rc) {
    rc = PSC_EIO;
    saved = errno;
  }
  free(buf);
  errno = saved;
  return rc;
}

static int owned(const char *name, const psc__out_file_t *files, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (!strcmp(name, files[k].name))
      return 1;
  return 0;
}

/* Carries the target's entries that are not the set's own files into the
 * staging folder; fails, changing nothing, when one of the set's own names
 * is taken by something other than a regular file. */
static int carry_over(psc_outset_t *s, const psc__out_file_t *files, size_t nowned) {
  DIR *d = opendir(s->target);
  if (!d) {
    if (errno == ENOENT)
      return 0;
    set_error(s, s->dir, errno);
    return PSC_EIO;
  }
  int rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || stale_temp(e->d_name))
      continue;
    char *from = join(s->target, e->d_name), *to = join(s->staging, e->d_name), *bad = NULL;
    struct stat st;
    if (!from || !to)
      rc = PSC_ENOMEM;
    else if (owned(e->d_name, files, nowned)) {
      if (lstat(from, &st) == 0 && !S_ISREG(st.st_mode)) {
        set_error(s, from, S_ISDIR(st.st_mode) ? EISDIR : EEXIST);
        rc = PSC_EIO;
      }
    } else if (link_tree(from, to, &bad) != 0) {
      set_error(s, bad ? bad : from, errno);
      rc = PSC_EIO;
    }
    free(bad);
    free(from);
    free(to);
  }
  closedir(d);
  return rc;
}

/* The swap: one rename. */
static int swap_in(psc_outset_t *s) {
  struct stat st;
  if (lstat(s->target, &st) != 0) {
    if (rename(s->staging, s->target) != 0) {
      set_error(s, s->dir, errno);
      return PSC_EIO;
    }
    return 0;
  }
  struct stat old;
  if (stat(s->target, &old) == 0)
    chmod(s->staging, old.st_mode & 07777);
  if (renameat2(AT_FDCWD, s->staging, AT_FDCWD, s->target, RENAME_EXCHANGE) == 0) {
    rm_tree(s->staging); /* now the previous set */
    return 0;
  }
  if (errno != EINVAL && errno != ENOSYS) {
    set_error(s, s->dir, errno);
    return PSC_EIO;
  }
  /* file systems without the exchange: the old set is moved aside first (a
   * killed run between the renames leaves it to be put back by the next) */
  if (rename(s->target, s->old) != 0) {
    set_error(s, s->dir, errno);
    return PSC_EIO;
  }
  if (rename(s->staging, s->target) != 0) {
    set_error(s, s->dir, errno);
    rename(s->old, s->target);
    return PSC_EIO;
  }
  rm_tree(s->old);
  return 0;
}

char *psc__outset_file(psc_outset_t *s, const char *name) {
  return s && s->staging && !s->committed ? join(s->staging, name) : NULL;
}

int psc__outset_commit(psc_outset_t *s, const char *const *names, size_t n) {
  if (!s || !s->staging || s->committed || s->err[0])
    return PSC_EINVAL;
  psc__out_file_t *files = calloc(n + 1, sizeof(*files));
  if (!files)
    return PSC_ENOMEM;
  for (size_t k = 0; k < n; k++)
    files[k].name = names[k];
  int rc = carry_over(s, files, n);
  free(files);
  if (!rc)
    rc = swap_in(s);
  if (!rc)
    s->committed = 1;
  return rc;
}

/* One file of a set being written, and how it went. */
typedef struct {
  const psc__out_file_t *of;
  const void *ctx;
  char *path;
  int rc, err; /* the writer's result and errno */
} job_t;

static void *run_job(void *arg) {
  job_t *j = arg;
  errno = 0;
  j->rc = j->of->to_path ? j->of->to_path(j->ctx, j->path) : write_stream(j->of, j->ctx, j->path);
  j->err = errno;
  return NULL;
}

static int write_set(psc_outset_t *s, const psc__out_file_t *files, size_t nwrite,
                     size_t nowned, const void *ctx, int concurrent) {
  if (!s || !s->staging || s->committed || s->err[0])
    return PSC_EINVAL;
  job_t *jobs = calloc(nwrite ? nwrite : 1, sizeof(*jobs));
  pthread_t *tid = calloc(nwrite ? nwrite : 1, sizeof(*tid));
  char *started = calloc(nwrite ? nwrite : 1, 1);
  int rc = jobs && tid && started ? 0 : PSC_ENOMEM;
  for (size_t k = 0; k < nwrite && !rc; k++) {
    jobs[k] = (job_t){&files[k], ctx, join(s->staging, files[k].name), 0, 0};
    if (!jobs[k].path)
      rc = PSC_ENOMEM;
  }
  if (!rc && concurrent) {
    /* every file but the first on a thread of its own (inline when no
     * thread can be made), the first on this one */
    for (size_t k = 1; k < nwrite; k++)
      started[k] = pthread_create(&tid[k], NULL, run_job, &jobs[k]) == 0;
    if (nwrite)
      run_job(&jobs[0]);
    for (size_t k = 1; k < nwrite; k++) {
      if (started[k])
        pthread_join(tid[k], NULL);
      else
        run_job(&jobs[k]);
    }
  }
  /* the first failure in the set's order is the one reported */
  for (size_t k = 0; k < nwrite && !rc; k++) {
    if (!concurrent)
      run_job(&jobs[k]);
    rc = jobs[k].rc;
    if (rc == PSC_EIO || rc == PSC_EHDF5) {
      char *shown = join(s->dir, files[k].name);
      set_error(s, shown ? shown : files[k].name, jobs[k].err);
      free(shown);
    }
  }
  for (size_t k = 0; jobs && k < nwrite; k++)
    free(jobs[k].path);
  free(jobs);
  free(tid);
  free(started);
  if (!rc)
    rc = carry_over(s, files, nowned);
  if (!rc)
    rc = swap_in(s);
  if (!rc)
    s->committed = 1;
  return rc;
}

int psc__outset_write(psc_outset_t *s, const psc__out_file_t *files, size_t nwrite,
                      size_t nowned, const void *ctx) {
  return write_set(s, files, nwrite, nowned, ctx, 0);
}

int psc__outset_write_concurrent(psc_outset_t *s, const psc__out_file_t *files, size_t nwrite,
                                 size_t nowned, const void *ctx) {
  return write_set(s, files, nwrite, nowned, ctx, 1);
}
