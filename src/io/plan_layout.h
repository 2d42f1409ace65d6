/* The one description of plan.h5's layout (private to the library): every
 * dataset's group, name, type, the table whose row count is its length, the
 * table its values index, and the checks a reader makes. The writer
 * (io/plan_h5.c) takes each dataset's file type and units from it and
 * refuses a dataset it does not list; the reader (decode/plan_view.c)
 * checks every dataset against it before decode uses a value. */
#ifndef POOLSCREEN_IO_PLAN_LAYOUT_H
#define POOLSCREEN_IO_PLAN_LAYOUT_H

#include <hdf5.h>
#include <stdint.h>

#include "internal.h"

/* The name and version written as the root attributes `format` and
 * `format_version`; a reader refuses other names and newer versions. */
#define PSC__PLAN_FORMAT "poolscreen plan"
#define PSC__PLAN_FORMAT_VERSION 2

/* Tables of plan.h5: each dataset's length is one table's row count. */
typedef enum {
  PSC__T_RESIDENTS,
  PSC__T_HOUSEHOLDS,
  PSC__T_TUBES,
  PSC__T_COMMUNITIES,
  PSC__T_STREETS,
  PSC__T_DISTRICT, /* one row */
  PSC__T_SITES,
  PSC__T_LABS,
  PSC__T_SESSIONS,
  PSC__T_RUNS,
  PSC__T_SESSIONS1, /* sessions + 1 (a CSR offset column) */
  PSC__T_SITE_LABS, /* each site's quickest labs (optional: plans before it have none) */
  PSC__T_COUNT,
  PSC__T_NONE = PSC__T_COUNT
} psc__table_t;

typedef enum { PSC__L_U8, PSC__L_U32, PSC__L_I32, PSC__L_F64, PSC__L_STR } psc__ltype_t;

enum {
  PSC__L_OPTIONAL = 1, /* may be absent (tube2: array plans only) */
  PSC__L_MINUS1 = 2,   /* -1 allowed besides an index (no tube) */
  PSC__L_POSITIVE = 4, /* > 0 (rates, wells, instruments, run lengths, booths) */
  PSC__L_OFFSETS = 8,  /* non-decreasing offsets from 0 to the index table's count */
  PSC__L_FINITE = 16   /* a number, not NaN or infinite (coordinates, session and run times) */
};

typedef struct {
  const char *group, *name;
  psc__ltype_t type;
  psc__table_t length; /* the table whose row count is the length */
  psc__table_t index;  /* the table the values are rows of, or PSC__T_NONE */
  uint32_t max;        /* codes: largest valid value; 0 = no limit */
  int flags;
  const char *units;   /* the `units` attribute, or NULL */
  const char *const *names; /* an HDF5 enum of these names (codes 0..max), or NULL */
} psc__layout_t;

/* The datasets, in the order they are written. */
extern const psc__layout_t PSC__PLAN_LAYOUT[];
extern const size_t PSC__PLAN_LAYOUT_COUNT;

/* The entry of group/name, or NULL. */
const psc__layout_t *psc__layout_find(const char *group, const char *name);
/* The file type of an entry's numeric type (strings: NULL-padded UTF-8 of
 * their width, made by the caller). */
hid_t psc__layout_file_type(psc__ltype_t t);
/* The file type of an entry: its enum (close it) or its numeric type
 * (a predefined type; closing it is harmless to skip). */
hid_t psc__layout_type(const psc__layout_t *l);

/* A plan file opened for defensive reading: the row count of every table,
 * each from the first dataset of its group, and the file's name for
 * messages. */
typedef struct {
  hid_t f;
  const char *path;
  psc_diags_t *d;
  uint32_t count[PSC__T_COUNT];
  int bad;            /* an error was reported */
  uint8_t read[128];  /* entries already read and checked (by index in the table) */
} psc__plan_file_t;

/* Checks the format attributes and every dataset of the layout (present,
 * one-dimensional, of the right class, of its table's length) without
 * reading the data; each problem is an error naming the file and dataset.
 * 0, or PSC_EINPUT. */
int psc__layout_check(psc__plan_file_t *pf);
/* Reads and checks the values of every checked column not yet read through
 * psc__layout_read, except the per-resident and per-household ones (checked
 * as they are read). 0, or PSC_EINPUT. */
int psc__layout_check_rest(psc__plan_file_t *pf);
/* Reads a whole dataset as its layout type (u8, u32, i32, double) and checks
 * every value: indices against their table (or -1 where allowed), codes
 * against their largest value, positive where required, offsets
 * non-decreasing. NULL (and an error in diags) when it fails. *n gets the
 * length. */
void *psc__layout_read(psc__plan_file_t *pf, const char *group, const char *name, uint32_t *n);
/* Checks values already read (a partial read) against an entry's index
 * table; 0, or -1 with an error in diags. */
int psc__layout_check_u32(psc__plan_file_t *pf, const char *group, const char *name,
                          const uint32_t *v, uint32_t n);

#endif
