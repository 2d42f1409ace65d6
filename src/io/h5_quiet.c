/* Sections of HDF5 calls with HDF5's error printing turned off, serialised
 * so that its process-wide handler is never toggled by two threads at once. */
#define _GNU_SOURCE
#include "internal.h"

#include <hdf5.h>
#include <pthread.h>

static pthread_mutex_t lock;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
/* guarded by lock */
static unsigned depth;
static H5E_auto2_t saved_fn;
static void *saved_data;

static void make_lock(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  /* sections nest within one thread (a writer calling a reader) */
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&lock, &a);
  pthread_mutexattr_destroy(&a);
}

void psc__h5_quiet_begin(void) {
  pthread_once(&lock_once, make_lock);
  pthread_mutex_lock(&lock);
  if (depth++ == 0) {
    H5Eget_auto2(H5E_DEFAULT, &saved_fn, &saved_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  }
}

void psc__h5_quiet_end(void) {
  if (--depth == 0)
    H5Eset_auto2(H5E_DEFAULT, saved_fn, saved_data);
  pthread_mutex_unlock(&lock);
}
