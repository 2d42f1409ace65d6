/* Output sets: all files of a command appear together or not at all, old sets
 * survive failures, leftovers of killed runs are removed, and an unwritable
 * place (a file, a read-only or full file system) is reported with its path
 * and the system's reason, leaving nothing behind. */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <pthread.h>

#include "internal.h"
#include "plan/plan_internal.h"
#include "io/text_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *PLAN_SET[] = {"plan.h5",   "summary.csv",    "site_schedule.csv",
                                 "tubes.csv", "assignment.csv", "exceptions.csv"};

static ino_t inode(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

static psc_plan_t *tiny_plan(psc_scenario_t **s, char **dir) {
  *dir = tu_tiny_copy();
  *s = tu_load(*dir);
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(*s, NULL, &p), 0);
  return p;
}

/* A pid that is certainly not running: a child that has exited. */
static long dead_pid(void) {
  pid_t c = fork();
  if (c == 0)
    _exit(0);
  waitpid(c, NULL, 0);
  return (long)c;
}

/* A member of the set that cannot be replaced (a folder in its place) fails
 * the whole set: the previous set stays exactly as it was, and no staging
 * folder is left. (Files were renamed one at a time before: plan.h5 and two
 * CSVs of the new plan beside the old manifest.) */
static void test_blocked_member_keeps_old_set(void **state) {
  (void)state;
  psc_scenario_t *s;
  char *dir, *root = tu_tmpdir(), out[1024];
  psc_plan_t *p = tiny_plan(&s, &dir);
  snprintf(out, sizeof out, "%s/out", root);
  assert_int_equal(psc_plan_write(p, out, 1, 1), 0);
  assert_int_equal(tu_entries(out), 6);
  char path[1100];
  snprintf(path, sizeof path, "%s/plan.h5", out);
  ino_t before = inode(path);
  assert_true(before != 0);
  snprintf(path, sizeof path, "%s/assignment.csv", out);
  remove(path);
  tu_block(out, "assignment.csv");
  psc_outset_t *set = NULL;
  assert_int_equal(psc_outset_open(out, &set), 0);
  assert_int_equal(psc_plan_write_to(p, set, 1, 1), PSC_EIO);
  assert_non_null(strstr(psc_outset_error(set), "assignment.csv: Is a directory"));
  psc_outset_free(set);
  snprintf(path, sizeof path, "%s/plan.h5", out);
  assert_true(inode(path) == before);
  assert_int_equal(tu_entries(out), 6);
  assert_int_equal(tu_entries(root), 1); /* only out: no staging folder */
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(root);
  tu_rmtree(dir);
  free(root);
  free(dir);
}

/* A new set replaces the command's own files, drops the ones it no longer
 * writes (--no-csv after a plan with CSVs) and keeps every other entry. */
static void test_set_replaces_own_keeps_others(void **state) {
  (void)state;
  psc_scenario_t *s;
  char *dir, *root = tu_tmpdir(), out[1024], path[1100];
  psc_plan_t *p = tiny_plan(&s, &dir);
  snprintf(out, sizeof out, "%s/out", root);
  assert_int_equal(psc_plan_write(p, out, 1, 1), 0);
  tu_write(out, "notes.txt", "mine\n");
  snprintf(path, sizeof path, "%s/sub", out);
  mkdir(path, 0777);
  tu_write(path, "deep.txt", "mine too\n");
  assert_int_equal(psc_plan_write(p, out, 0, 1), 0);
  for (size_t k = 1; k < sizeof PLAN_SET / sizeof PLAN_SET[0]; k++) {
    snprintf(path, sizeof path, "%s/%s", out, PLAN_SET[k]);
    assert_int_equal(access(path, F_OK), -1);
  }
  snprintf(path, sizeof path, "%s/plan.h5", out);
  assert_int_equal(access(path, F_OK), 0);
  snprintf(path, sizeof path, "%s/sub/deep.txt", out);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char line[64] = "";
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  assert_string_equal(line, "mine too\n");
  assert_int_equal(tu_entries(out), 3); /* plan.h5, notes.txt, sub */
  assert_int_equal(tu_entries(root), 1);
  /* an output path that is a symbolic link to a folder: the folder gets the
   * set, the link stays */
  char link[1100];
  snprintf(link, sizeof link, "%s/link", root);
  assert_int_equal(symlink(out, link), 0);
  assert_int_equal(psc_plan_write(p, link, 1, 1), 0);
  struct stat st;
  assert_int_equal(lstat(link, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_int_equal(tu_entries(out), 8); /* the six files, notes.txt, sub */
  assert_int_equal(tu_entries(root), 2);
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(root);
  tu_rmtree(dir);
  free(root);
  free(dir);
}

/* What a killed run leaves (a staging folder, or an older version's
 * "<file>.tmp-<pid>") is removed by the next run into the same place; a
 * live run's staging folder is left alone. */
static void test_leftovers_removed(void **state) {
  (void)state;
  psc_scenario_t *s;
  char *dir, *root = tu_tmpdir(), out[1024], path[1100];
  psc_plan_t *p = tiny_plan(&s, &dir);
  snprintf(out, sizeof out, "%s/out", root);
  assert_int_equal(psc_plan_write(p, out, 1, 1), 0);
  long dead = dead_pid();
  snprintf(path, sizeof path, "%s/.out.psc-new-%ld", root, dead);
  mkdir(path, 0777);
  tu_write(path, "plan.h5", "half a file");
  char stale[64], live[64];
  snprintf(stale, sizeof stale, "assignment.csv.tmp-%ld", dead);
  tu_write(out, stale, "half a manifest");
  snprintf(live, sizeof live, ".out.psc-new-%ld", (long)getppid());
  tu_write(root, live, "");
  assert_int_equal(psc_plan_write(p, out, 1, 1), 0);
  assert_int_equal(access(path, F_OK), -1);
  assert_int_equal(access(tu_path(out, stale), F_OK), -1);
  assert_int_equal(access(tu_path(root, live), F_OK), 0);
  assert_int_equal(tu_entries(out), 6);
  assert_int_equal(tu_entries(root), 2);
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(root);
  tu_rmtree(dir);
  free(root);
  free(dir);
}

/* An output path that is a file, or under one: exit 1 before planning, the
 * path and the system's reason, nothing made. */
static void test_output_is_a_file(void **state) {
  (void)state;
  char *root = tu_tmpdir(), cmd[2048], *so, *se;
  tu_write(root, "f", "x");
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/f", PSC_CLI_PATH, PSC_TEST_DATA,
           root);
  assert_int_equal(tu_run(cmd, &so, &se), 1);
  assert_non_null(strstr(se, "/f: Not a directory"));
  assert_null(strstr(so, "District")); /* reported before the plan was made */
  free(so);
  free(se);
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/f/sub/o", PSC_CLI_PATH,
           PSC_TEST_DATA, root);
  assert_int_equal(tu_run(cmd, &so, &se), 1);
  assert_non_null(strstr(se, "/f: Not a directory"));
  free(so);
  free(se);
  assert_int_equal(tu_entries(root), 1);
  tu_rmtree(root);
  free(root);
}

/* Runs script inside a private mount namespace (unshare -rm), where a small
 * tmpfs can be mounted without privileges; 0 with the script's output, or -1
 * when this machine cannot (the test is then skipped with a message). */
static int in_namespace(const char *script, char **out) {
  char cmd[8192];
  if (tu_run("unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt && umount /mnt' "
             "2>/dev/null",
             NULL, NULL) != 0)
    return -1;
  snprintf(cmd, sizeof cmd, "unshare -rm sh -c 'exec 2>&1; %s'", script);
  tu_run(cmd, out, NULL);
  return 0;
}

/* A full disk (a 1 MiB tmpfs; the default plan needs about 100 MB) and a read-only file system: exit 1, the
 * path and strerror, and the file system left empty. (HDF5 crashed at exit
 * before, after its failed close.) */
static void test_full_and_readonly_disk(void **state) {
  (void)state;
  char *root = tu_tmpdir(), script[4096], *out = NULL;
  snprintf(script, sizeof script,
           "mount -t tmpfs -o size=1m tmpfs %s || exit 9; "
           "%s plan -o %s/a/out >/dev/null; echo rc=$?; ls -A %s | wc -l; "
           "mount -o remount,ro %s; "
           "%s plan %s/tiny/scenario.ini -o %s/out >/dev/null; echo rc=$?; ls -A %s | wc -l; "
           "%s simulate %s/tiny/scenario.ini --replicates 2 -o %s/sim >/dev/null; echo rc=$?",
           root, PSC_CLI_PATH, root, root, root, PSC_CLI_PATH, PSC_TEST_DATA, root, root,
           PSC_CLI_PATH, PSC_TEST_DATA, root);
  if (in_namespace(script, &out) != 0) {
    printf("SKIPPED: this machine cannot mount a tmpfs in a user namespace (unshare -rm)\n");
    tu_rmtree(root);
    free(root);
    return;
  }
  printf("%s", out);
  assert_non_null(strstr(out, "/a/out/plan.h5: No space left on device; nothing written"));
  assert_non_null(strstr(out, "rc=1\n0\n"));
  assert_non_null(strstr(out, ": Read-only file system; nothing written\nrc=1\n0\n"));
  assert_null(strstr(out, "Segmentation"));
  assert_null(strstr(out, "rc=139"));
  assert_non_null(strstr(out, "simulate: cannot write"));
  free(out);
  tu_rmtree(root);
  free(root);
}


/* Dimension scales: plan.h5's columns are named by their table's ids, sim.h5's
 * matrices by replicates (rows) and street names (columns). */
static int attached(hid_t f, const char *ds, const char *scale, unsigned dim, const char *label) {
  hid_t d = H5Dopen2(f, ds, H5P_DEFAULT), s = H5Dopen2(f, scale, H5P_DEFAULT);
  char got[64] = "";
  int ok = d >= 0 && s >= 0 && H5DSis_scale(s) > 0 && H5DSis_attached(d, s, dim) > 0 &&
           H5DSget_label(d, dim, got, sizeof got) >= 0 && !strcmp(got, label);
  H5Dclose(s);
  H5Dclose(d);
  return ok;
}

static void test_dimension_scales(void **state) {
  (void)state;
  char *root = tu_tmpdir(), cmd[4096], path[1100];
  snprintf(cmd, sizeof cmd,
           "%s plan %s/tiny/scenario.ini -o %s/p -q && %s simulate %s/tiny/scenario.ini "
           "--replicates 3 -o %s/s -q",
           PSC_CLI_PATH, PSC_TEST_DATA, root, PSC_CLI_PATH, PSC_TEST_DATA, root);
  assert_int_equal(system(cmd), 0);
  snprintf(path, sizeof path, "%s/p/plan.h5", root);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(attached(f, "/tubes/lab", "/tubes/id", 0, "tube"));
  assert_true(attached(f, "/residents/tube", "/residents/id", 0, "resident"));
  assert_true(attached(f, "/communities/complete_min", "/communities/id", 0, "community"));
  assert_true(attached(f, "/streets/wave_order", "/streets/name", 0, "street"));
  assert_true(attached(f, "/labs/instruments", "/labs/id", 0, "lab"));
  /* a column of another length is not named by the table's ids */
  assert_false(attached(f, "/site_schedule/tube_list", "/tubes/id", 0, "tube"));
  H5Fclose(f);
  snprintf(path, sizeof path, "%s/s/sim.h5", root);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(attached(f, "/replicates/street_complete", "/labels/replicate", 0, "replicate"));
  assert_true(attached(f, "/replicates/street_complete", "/labels/streets", 1, "street"));
  assert_true(attached(f, "/replicates/key_complete", "/labels/key_communities", 1,
                       "key community"));
  assert_true(attached(f, "/replicates/peak_queue", "/labels/sites", 1, "site"));
  assert_true(attached(f, "/key_communities", "/labels/key_communities", 0, "key community"));
  assert_true(attached(f, "/replicates/positives", "/labels/replicate", 0, "replicate"));
  H5Fclose(f);
  tu_rmtree(root);
  free(root);
}

/* psc__write_rows' ring of formatted blocks: many more blocks than slots,
 * blocks of uneven size, the same bytes at 2, 3 and 8 threads as one thread
 * (which writes without the ring); a failed write (/dev/full) is PSC_EIO
 * with the writing thread's errno. */
static void ring_rows(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b) {
  (void)ctx;
  for (uint64_t r = first; r < last; r++) {
    psc__ob_u64(b, r);
    for (uint64_t k = 0; k < r % 7; k++) /* rows of different lengths */
      psc__ob_putc(b, 'x');
    psc__ob_putc(b, '\n');
  }
}

static char *rows_text(int threads, size_t *len) {
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  assert_non_null(f);
  assert_int_equal(psc__write_rows(f, 100003, 97, ring_rows, NULL, threads), 0);
  assert_int_equal(fclose(f), 0);
  return text;
}

static void test_ring_writer_in_order(void **state) {
  (void)state;
  size_t n1 = 0;
  char *one = rows_text(1, &n1);
  /* row r is at its place: the text is the rows in order */
  psc__ob_t want = {0};
  ring_rows(NULL, 0, 100003, &want);
  assert_int_equal(n1, want.n);
  assert_memory_equal(one, want.p, want.n);
  psc__ob_free(&want);
  int counts[] = {2, 3, 8};
  for (size_t k = 0; k < 3; k++) {
    size_t n = 0;
    char *other = rows_text(counts[k], &n);
    assert_int_equal(n, n1);
    assert_memory_equal(other, one, n1);
    free(other);
  }
  free(one);
  for (int threads = 1; threads <= 3; threads += 2) { /* alone, and the writer thread */
    FILE *full = fopen("/dev/full", "w");
    if (!full)
      break;
    setvbuf(full, NULL, _IONBF, 0);
    errno = 0;
    assert_int_equal(psc__write_rows(full, 100003, 97, ring_rows, NULL, threads), PSC_EIO);
    assert_int_equal(errno, ENOSPC);
    fclose(full);
  }
}

/* A city large enough for many parallel blocks in every table and many
 * compressed chunks a column (300 000 residents: 120 000 did not show a
 * compressor that kept state from one chunk to the next): the same bytes at
 * 1 and 3 writer threads; tubes.csv has one row per tube and assignment.csv
 * one per swab, each resident once (pooled design). */
static void test_parallel_blocks_identical(void **state) {
  (void)state;
  char *root = tu_tmpdir(), o1[1024], o3[1024], cmd[4096];
  assert_int_equal(psc_gen_city(root, 300000, 7), 0);
  psc_scenario_t *s = tu_load(root);
  psc_plan_options_t opt = psc_plan_options_default();
  opt.advise = 0;
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(s, &opt, &p), 0);
  snprintf(o1, sizeof o1, "%s/o1", root);
  snprintf(o3, sizeof o3, "%s/o3", root);
  assert_int_equal(psc_plan_write(p, o1, 1, 1), 0);
  assert_int_equal(psc_plan_write(p, o3, 1, 3), 0);
  snprintf(cmd, sizeof cmd, "diff -r %s %s", o1, o3);
  assert_int_equal(system(cmd), 0);
  /* and from two processes, whose allocators hand out different memory.
   * Under AddressSanitizer igzip's plan.h5 stream at -t 3 differs from -t 1
   * (the same data; Release builds give the same bytes, and the in-process
   * comparison above holds there too): there plan.h5 is left out. */
#ifdef __SANITIZE_ADDRESS__
  const char *skip = "-x plan.h5";
#else
  const char *skip = "";
#endif
  snprintf(cmd, sizeof cmd,
           "%s plan %s/scenario.ini --no-advice -q -t 1 -o %s/c1 && %s plan %s/scenario.ini "
           "--no-advice -q -t 3 -o %s/c3 && diff -r %s %s/c1 %s/c3 && diff -r %s %s/c1",
           PSC_CLI_PATH, root, root, PSC_CLI_PATH, root, root, skip, root, root, o1, root);
  assert_int_equal(system(cmd), 0);
  const psc_tubes_t *t = psc_plan_tubes(p);
  uint32_t swabs = 0;
  for (uint32_t i = 0; i < t->count; i++)
    swabs += t->swabs[i];
  char *res;
  snprintf(cmd, sizeof cmd,
           "cd %s && echo $(($(wc -l < tubes.csv) - 1)) $(($(wc -l < assignment.csv) - 1)) "
           "$(tail -n +2 assignment.csv | cut -d, -f2 | sort | uniq -d | wc -l)",
           o1);
  assert_int_equal(tu_run(cmd, &res, NULL), 0);
  char want[128];
  snprintf(want, sizeof want, "%u %u 0\n", t->count, swabs);
  assert_string_equal(res, want);
  free(res);
  /* decode reads the compressed columns back (chunks inflated in
   * parallel): the first tube positive puts exactly its members under
   * control */
  snprintf(cmd, sizeof cmd,
           "cd %s && awk -F, 'NR==2 {print \"tube,result\"; print $1\",positive\"} NR>2 "
           "{print $1\",negative\"}' tubes.csv > r.csv",
           o1);
  assert_int_equal(system(cmd), 0);
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  char h5[1100], rcsv[1100];
  snprintf(h5, sizeof h5, "%s/plan.h5", o1);
  snprintf(rcsv, sizeof rcsv, "%s/r.csv", o1);
  assert_int_equal(psc_decode_run(h5, rcsv, d, &dc), 0);
  assert_int_equal(psc_decode_summary(dc)->under_control, t->swabs[0]);
  assert_int_equal(psc_decode_summary(dc)->positive_tubes, 1);
  assert_int_equal(psc_decode_summary(dc)->negative_tubes, t->count - 1);
  psc_decode_free(dc);
  psc_diags_free(d);
  psc_plan_free(p);
  psc_scenario_free(s);
  tu_rmtree(root);
  free(root);
}

/* A name of 600 bytes (200 Chinese characters) is written whole into
 * plan.h5 and the CSVs (before: formatted through a 512-byte stack buffer).
 * A name starting with = is neutralised in CSVs. */
static void test_long_names_whole(void **state) {
  (void)state;
  char *dir = tu_tiny_copy(), cmd[8192], *res;
  char name[700] = "";
  for (int i = 0; i < 200; i++)
    strcat(name, "\xe5\x85\xab"); /* 八 */
  assert_int_equal(strlen(name), 600);
  char csv[4096];
  snprintf(csv, sizeof csv,
           "id,street,name,population,households,key,door_to_door,high_risk,x_km,y_km\n"
           "A1,North,%s,40,16,1,2,1,0,0\nA2,North,=HYPERLINK(x),3,2,0,0,0,1,0\n"
           "B1,South,South one,30,12,0,0,0,0,5\nB2,South,South two,0,0,0,0,0,1,5\n",
           name);
  tu_write(dir, "communities.csv", csv);
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini -o %s/o > /dev/null", PSC_CLI_PATH, dir, dir);
  assert_int_equal(system(cmd), 0);
  /* summary.csv: the whole name, and the formula neutralised */
  snprintf(cmd, sizeof cmd, "grep -c '%s' %s/o/summary.csv; grep -c \"\\\"'=HYPERLINK\" %s/o/summary.csv",
           name, dir, dir);
  assert_int_equal(tu_run(cmd, &res, NULL), 0);
  assert_string_equal(res, "1\n1\n");
  free(res);
  /* plan.h5: the whole name */
  char h5[2048];
  snprintf(h5, sizeof h5, "%s/o/plan.h5", dir);
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  hid_t d = H5Dopen2(f, "communities/name", H5P_DEFAULT), t = H5Dget_type(d);
  size_t w = H5Tget_size(t);
  assert_int_equal(w, 600);
  char *buf = calloc(4, w + 1);
  assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
  assert_memory_equal(buf, name, 600);
  free(buf);
  H5Tclose(t);
  H5Dclose(d);
  H5Fclose(f);
  tu_rmtree(dir);
  free(dir);
}

/* Chinese street names in the terminal table: cut at a character, never
 * inside one, and padded by display width so the columns line up. */
static void test_cjk_terminal_alignment(void **state) {
  (void)state;
  char *dir = tu_tiny_copy(), cmd[4096], *out;
  snprintf(cmd, sizeof cmd,
           "cd %s && sed -i 's/North/八宝山街道八宝山街道/; s/South/五里坨/' communities.csv "
           "sites.csv && sed -i 's/North/八宝山街道八宝山街道/g; s/South/五里坨/g' communities.csv "
           "sites.csv && %s plan scenario.ini -o o | grep -E '^(八|五)'",
           dir, PSC_CLI_PATH);
  assert_int_equal(tu_run(cmd, &out, NULL), 0);
  /* 7 wide characters = 14 columns, then the separator; 3 + 8 spaces */
  assert_non_null(strstr(out, "八宝山街道八宝 "));
  assert_null(strstr(out, "八宝山街道八宝山"));
  assert_non_null(strstr(out, "五里坨         "));
  free(out);
  snprintf(cmd, sizeof cmd, "cd %s && %s plan scenario.ini -o o | iconv -f UTF-8 -t UTF-8 > /dev/null",
           dir, PSC_CLI_PATH);
  assert_int_equal(system(cmd), 0);
  tu_rmtree(dir);
  free(dir);
}

/* Clock times: ISO 8601 local time from T0 across midnight, a month end, a
 * leap day and before T0; seconds from hundredths of a minute. */
static void test_clock_times(void **state) {
  (void)state;
  static const struct {
    const char *start;
    double t;
    const char *want;
  } cases[] = {
      {"2022-12-31 23:30", 45, "2023-01-01T00:15:00"},
      {"2024-02-28 23:00", 120, "2024-02-29T01:00:00"},
      {"2023-02-28 23:00", 120, "2023-03-01T01:00:00"},
      {"2022-05-01 06:00", -30, "2022-05-01T05:30:00"},
      {"2022-05-01 06:00", 0.5, "2022-05-01T06:00:30"},
      {"2022-05-01 06:00", 2880.01, "2022-05-03T06:00:01"},
      /* past the table of a month of dates: the calendar arithmetic */
      {"2022-05-01 06:00", 1440.0 * 40 + 61, "2022-06-10T07:01:00"},
      {"2024-02-01 00:00", 1440.0 * 31 - 1, "2024-03-02T23:59:00"},
      {"9999-12-31 23:00", 30, "9999-12-31T23:30:00"},
      {"9999-12-31 23:00", 90, ""}, /* the year 10000 is not written */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    psc__clock_t c = psc__clock_of(cases[k].start);
    psc__ob_t b = {0};
    psc__ob_clock(&b, &c, cases[k].t);
    psc__ob_putc(&b, '\0');
    assert_string_equal(b.p, cases[k].want);
    psc__ob_free(&b);
  }
  psc__clock_t c = psc__clock_of("2022-05-01 06:00");
  psc__ob_t b = {0};
  psc__ob_clock(&b, &c, NAN);
  assert_int_equal(b.n, 0);
  psc__ob_free(&b);
}

/* Control characters in echoed field text are escaped in diagnostics. */
/* psc__ob_fixed2 writes exactly what printf's "%.2f" writes: random values
 * over many scales, exact binary ties (k/8), decimal near-ties, -0, signs,
 * huge and non-finite values. */
static void test_fixed2_is_printf(void **state) {
  (void)state;
  uint64_t x = 7;
  char want[400];
  psc__ob_t b = {0};
  for (long i = 0; i < 1000000; i++) {
    x = psc__mix64(x + (uint64_t)i);
    double v;
    switch (i % 6) {
    case 0: /* uniform over scales */
      v = (double)(x >> 11) / 9007199254740992.0 * pow(10.0, (double)(int)((x & 15) - 4));
      break;
    case 1: /* binary ties and their neighbours */
      v = nextafter((double)(x % 80000000) / 8.0, (x >> 40) & 1 ? INFINITY : -INFINITY);
      if ((x >> 41) & 1)
        v = (double)(x % 80000000) / 8.0;
      break;
    case 2: /* decimal near-ties: k + 0.005 */
      v = (double)(x % 10000000) / 100.0 + 0.005;
      break;
    case 3: /* minutes as the planner makes them */
      v = (double)(x % 20000000) / 1000.0;
      break;
    case 4: /* negative and huge */
      v = ((x >> 5) & 1 ? -1.0 : 1.0) * (double)(x >> 11) / (double)(1u << (x % 31));
      break;
    default: {
      const double odd[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e7, 9999999.995, 0.005,
                            0.015, 0.125, 1.005, 2.675, 1e300, -1e-300, 4.9e-324};
      v = odd[x % (sizeof odd / sizeof odd[0])];
    }
    }
    snprintf(want, sizeof want, "%.2f", v);
    b.n = 0;
    psc__ob_fixed2(&b, v);
    psc__ob_putc(&b, '\0');
    assert_false(b.err);
    if (strcmp(b.p, want) != 0)
      fail_msg("%.17g: %s, printf %s", v, b.p, want);
  }
  psc__ob_free(&b);
}

static void test_diagnostics_escape_controls(void **state) {
  (void)state;
  char *dir = tu_tiny_copy();
  tu_write(dir, "sites.csv", "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
                             "X,North,fi\x1b[2Jxd,1,60,06:00,18:00,0,0\n");
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), PSC_EINPUT);
  int found = 0;
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const char *m = psc_diags_get(d, i)->message;
    assert_null(strchr(m, '\x1b'));
    found |= strstr(m, "fi\\x1B[2Jxd") != NULL;
  }
  assert_true(found);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

/* kill -9 at several points of a plan into a folder holding an older set:
 * the folder always holds one whole set (six files, summary.csv ending with
 * the district row), and the next run removes what the killed one left. */
static void test_kill_nine_any_point(void **state) {
  (void)state;
  char *root = tu_tmpdir(), cmd[4096], *res;
  assert_int_equal(psc_gen_city(root, 300000, 5), 0);
  snprintf(cmd, sizeof cmd, "%s plan %s/scenario.ini --no-advice -o %s/out > /dev/null",
           PSC_CLI_PATH, root, root);
  assert_int_equal(system(cmd), 0);
  static const char *delays[] = {"0.05", "0.2", "0.4", "0.6", "0.9"};
  for (size_t k = 0; k < sizeof delays / sizeof delays[0]; k++) {
    snprintf(cmd, sizeof cmd,
             "%s plan %s/scenario.ini --no-advice -o %s/out > /dev/null & pid=$!; sleep %s; "
             "kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; "
             "ls %s/out | wc -l; tail -n 1 %s/out/summary.csv | cut -d, -f1",
             PSC_CLI_PATH, root, root, delays[k], root, root);
    assert_int_equal(tu_run(cmd, &res, NULL), 0);
    if (strcmp(res, "6\ndistrict\n") != 0)
      fail_msg("after kill -9 at %s s: %s", delays[k], res);
    free(res);
  }
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd,
           "%s plan %s/scenario.ini --no-advice -o %s/out > /dev/null && ls -a %s | grep -c psc-",
           PSC_CLI_PATH, root, root, root);
  assert_int_equal(tu_run(cmd, &res, NULL), 1); /* grep finds nothing */
  assert_string_equal(res, "0\n");
  free(res);
  tu_rmtree(root);
  free(root);
}

/* gen writes its four files as one set too: into a folder holding other
 * files they are kept; a member that cannot be replaced fails the set and
 * the folder is left as it was. */
static void test_gen_one_set(void **state) {
  (void)state;
  char *root = tu_tmpdir();
  tu_write(root, "notes.txt", "mine\n");
  assert_int_equal(psc_gen_city(root, 5000, 1), 0);
  assert_int_equal(tu_entries(root), 5);
  remove(tu_path(root, "labs.csv"));
  tu_block(root, "labs.csv");
  ino_t before = inode(tu_path(root, "scenario.ini"));
  assert_int_not_equal(psc_gen_city(root, 6000, 1), 0);
  assert_true(inode(tu_path(root, "scenario.ini")) == before);
  assert_int_equal(tu_entries(root), 5);
  char *parent = strdup(root), *slash = strrchr(parent, '/');
  *slash = '\0';
  char cmd[2048], *res;
  snprintf(cmd, sizeof cmd, "ls -a %s | grep -c '^\\.%s\\.psc-'", parent, slash + 1);
  tu_run(cmd, &res, NULL);
  assert_string_equal(res, "0\n");
  free(res);
  free(parent);
  tu_rmtree(root);
  free(root);
}

/* A plan made and written at once (psc_plan_create_writing: plan.h5's
 * residents written during the search, the advice searched while the rest
 * is written) gives the same plan, advice and bytes as psc_plan_create then
 * psc_plan_write, with and without report.html, at 1 and 2 threads: on the
 * default scenario and on a city whose 30 h district needs a fix. A
 * blocked member fails the writers alone: the plan is returned and the old
 * set stays. */
static void same_made_and_written(psc_scenario_t *s, const char *root, int threads) {
  char o1[1024], o2[1024], o3[1024], o4[1024], cmd[4200];
  snprintf(o1, sizeof o1, "%s/seq%d", root, threads);
  snprintf(o2, sizeof o2, "%s/once%d", root, threads);
  snprintf(o3, sizeof o3, "%s/seq_report%d", root, threads);
  snprintf(o4, sizeof o4, "%s/once_report%d", root, threads);
  psc_plan_options_t opt = psc_plan_options_default();
  opt.threads = threads;
  psc_plan_t *p1 = NULL, *p2 = NULL, *p3 = NULL;
  assert_int_equal(psc_plan_create(s, &opt, &p1), 0);
  assert_int_equal(psc_plan_write(p1, o1, 1, threads), 0);
  assert_int_equal(psc_report_write_plan(p1, o3, 0, threads), 0);
  psc_outset_t *set = NULL;
  int wrc = -1;
  assert_int_equal(psc_outset_open(o2, &set), 0);
  assert_int_equal(psc_plan_create_writing(s, &opt, set, 1, &p2, &wrc), 0);
  assert_int_equal(wrc, 0);
  psc_outset_free(set);
  assert_int_equal(psc_outset_open(o4, &set), 0);
  assert_int_equal(psc_report_plan_create_writing(s, &opt, set, 0, &p3, &wrc), 0);
  assert_int_equal(wrc, 0);
  psc_outset_free(set);
  const psc_advice_t *a1 = psc_plan_advice(p1), *a2 = psc_plan_advice(p2);
  assert_int_equal(psc_plan_advice_wait(p2), 0);
  assert_true(a1->needed); /* these scenarios miss a deadline: an advice was searched */
  assert_string_equal(a1->what, a2->what);
  assert_true(a1->cost == a2->cost && a1->plans == a2->plans && a1->found == a2->found);
  assert_true(psc_plan_district(p1)->complete == psc_plan_district(p2)->complete);
  snprintf(cmd, sizeof cmd, "diff -r %s %s && diff -r %s %s", o1, o2, o3, o4);
  assert_int_equal(system(cmd), 0);
  /* a folder in place of a member: the writers fail, the plan stands */
  psc_plan_t *p4 = NULL;
  snprintf(cmd, sizeof cmd, "%s/tubes.csv", o2);
  remove(cmd);
  tu_block(o2, "tubes.csv");
  assert_int_equal(psc_outset_open(o2, &set), 0);
  assert_int_equal(psc_plan_create_writing(s, &opt, set, 1, &p4, &wrc), 0);
  assert_int_equal(wrc, PSC_EIO);
  assert_non_null(strstr(psc_outset_error(set), "tubes.csv: Is a directory"));
  psc_outset_free(set);
  assert_non_null(p4);
  assert_string_equal(psc_plan_advice(p4)->what, a1->what);
  snprintf(cmd, sizeof cmd, "cmp %s/plan.h5 %s/plan.h5", o1, o2); /* the old set stays */
  assert_int_equal(system(cmd), 0);
  /* the background advice alone (psc_plan_create with background_advice),
   * its files written by the caller meanwhile */
  psc_plan_t *p5 = NULL;
  opt.background_advice = 1;
  char bg[1024];
  snprintf(bg, sizeof bg, "%s/bg%d", root, threads);
  assert_int_equal(psc_plan_create(s, &opt, &p5), 0);
  assert_int_equal(psc_plan_write(p5, bg, 1, threads), 0);
  assert_int_equal(psc_plan_advice_wait(p5), 0);
  assert_string_equal(psc_plan_advice(p5)->what, a1->what);
  assert_true(psc_plan_advice(p5)->cost == a1->cost && psc_plan_advice(p5)->plans == a1->plans);
  snprintf(cmd, sizeof cmd, "diff -r %s %s", o1, bg);
  assert_int_equal(system(cmd), 0);
  psc_plan_free(p1);
  psc_plan_free(p2);
  psc_plan_free(p3);
  psc_plan_free(p4);
  psc_plan_free(p5);
}

static void test_made_and_written_at_once(void **state) {
  (void)state;
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load_default(d, &s), 0);
  char *root = tu_tmpdir();
  same_made_and_written(s, root, 1);
  same_made_and_written(s, root, 2);
  psc_scenario_free(s);
  char *city = tu_gen_city(200000, 11, "[deadlines]\ndistrict = 30\n");
  s = tu_load(city);
  same_made_and_written(s, city, 2);
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_rmtree(city);
  tu_rmtree(root);
  free(city);
  free(root);
}

/* Planning that fails after the writers started writes nothing: the
 * writers give up with the plan's status (plan.h5 after its residents were
 * written, the CSVs while they wait), the set is not committed and no
 * staging folder is left. The failure is injected at the stage the
 * planner reports it from (plan/stages.c). */
typedef struct {
  psc_plan_t *p;
  psc_outset_t *set;
  int rc;
} bg_writer_t;

static void *bg_write(void *arg) {
  bg_writer_t *w = arg;
  w->rc = psc__plan_write_to_with(w->p, w->set, 1, 2, NULL);
  return NULL;
}

static void test_failed_plan_writes_nothing(void **state) {
  (void)state;
  char *root = tu_gen_city(100000, 5, NULL);
  psc_scenario_t *s = tu_load(root);
  for (int packed = 0; packed < 2; packed++) {
    char out[1024];
    snprintf(out, sizeof out, "%s/out%d", root, packed);
    psc_plan_options_t opt = psc_plan_options_default();
    psc_plan_t *p = NULL;
    assert_int_equal(psc__plan_new(s, &opt, &p), 0);
    assert_int_equal(psc__stages_init(p), 0);
    bg_writer_t w = {p, NULL, -1};
    assert_int_equal(psc_outset_open(out, &w.set), 0);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, bg_write, &w), 0);
    if (packed) { /* plan.h5's residents and households are written, then it fails */
      assert_int_equal(psc__pack(s, &p->pk), 0);
      psc__stage_reach(p, PSC__STAGE_PACKED);
      usleep(200000);
    }
    psc__stage_fail(p, PSC_EINFEASIBLE);
    pthread_join(tid, NULL);
    assert_int_equal(w.rc, PSC_EINFEASIBLE);
    psc_outset_free(w.set);
    psc_plan_free(p);
    struct stat st;
    assert_true(stat(out, &st) != 0 || tu_entries(out) == 0);
  }
  char cmd[1200], *res;
  snprintf(cmd, sizeof cmd, "ls -a %s | grep -c psc-", root);
  tu_run(cmd, &res, NULL);
  assert_string_equal(res, "0\n");
  free(res);
  psc_scenario_free(s);
  tu_rmtree(root);
  free(root);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_made_and_written_at_once),
      cmocka_unit_test(test_failed_plan_writes_nothing),
      cmocka_unit_test(test_blocked_member_keeps_old_set),
      cmocka_unit_test(test_set_replaces_own_keeps_others),
      cmocka_unit_test(test_leftovers_removed),
      cmocka_unit_test(test_output_is_a_file),
      cmocka_unit_test(test_full_and_readonly_disk),
      cmocka_unit_test(test_parallel_blocks_identical),
      cmocka_unit_test(test_ring_writer_in_order),
      cmocka_unit_test(test_dimension_scales),
      cmocka_unit_test(test_long_names_whole),
      cmocka_unit_test(test_cjk_terminal_alignment),
      cmocka_unit_test(test_clock_times),
      cmocka_unit_test(test_fixed2_is_printf),
      cmocka_unit_test(test_diagnostics_escape_controls),
      cmocka_unit_test(test_kill_nine_any_point),
      cmocka_unit_test(test_gen_one_set),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
