/* Synthetic cities of any size, written as a scenario (INI + CSV tables):
 * streets of about 100 000 residents on a 5 km grid, communities of 3 000 to
 * 7 000, "2+N" sites and door-to-door teams per street as in the default
 * scenario, and labs sized to test the city in about two days. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* The four files are made in the output set's staging folder and appear
 * together (io/outset.c). */
static FILE *open_in(psc_outset_t *set, const char *name) {
  char *path = psc__outset_file(set, name);
  FILE *f = path ? fopen(path, "wb") : NULL;
  free(path);
  return f;
}

int psc_gen_city(const char *dir, uint64_t residents, uint64_t seed) {
  if (!dir || residents < 1 || residents > 200000000ULL)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(dir, &set);
  if (rc) {
    psc_outset_free(set);
    return rc;
  }
  gsl_rng *g = psc__rng_stream(seed, 3, 0);
  if (!g) {
    psc_outset_free(set);
    return PSC_ENOMEM;
  }
  const char *names[] = {"scenario.ini", "communities.csv", "sites.csv", "labs.csv"};
  FILE *f[4] = {0};
  for (int k = 0; k < 4; k++)
    if (!(f[k] = open_in(set, names[k])))
      rc = PSC_EIO;
  if (!rc) {
    fprintf(f[0],
            "; synthetic city of %llu residents (poolscreen gen, seed %llu)\n"
            "[scenario]\nname = synthetic city of %llu residents\nstart = 2022-05-01 06:00\n"
            "seed = %llu\n[tables]\ncommunities = communities.csv\nsites = sites.csv\n"
            "labs = labs.csv\n",
            (unsigned long long)residents, (unsigned long long)seed,
            (unsigned long long)residents, (unsigned long long)seed);
    fputs("id,street,name,population,households,key,door_to_door,high_risk,x_km,y_km\n", f[1]);
    fputs("id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n", f[2]);
    fputs("id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n", f[3]);
    uint64_t left = residents, nstreets = (residents + 99999) / 100000;
    uint32_t side = 1;
    while ((uint64_t)side * side < nstreets)
      side++;
    uint64_t comm = 0;
    for (uint64_t s = 0; left > 0; s++) {
      double cx = 5.0 * (double)(s % side), cy = 5.0 * (double)(s / side);
      uint64_t street_pop = left < 100000 ? left : 100000;
      left -= street_pop;
      uint64_t d2d_street = 0, k = 0;
      while (street_pop > 0) {
        uint64_t pop = 3000 + gsl_rng_uniform_int(g, 4001);
        if (pop > street_pop || street_pop - pop < 1000)
          pop = street_pop;
        street_pop -= pop;
        uint64_t hh = (uint64_t)(pop / (2.2 + 0.3 * gsl_rng_uniform(g)));
        if (hh < (pop + 19) / 20)
          hh = (pop + 19) / 20;
        if (hh > pop)
          hh = pop;
        uint64_t d2d = pop / 100, hr = gsl_rng_uniform_int(g, 4) == 0 ? pop / 500 : 0;
        int key = s == 0 && k < 4;
        d2d_street += d2d;
        fprintf(f[1], "C%llu,S%llu,community %llu,%llu,%llu,%d,%llu,%llu,%.2f,%.2f\n",
                (unsigned long long)comm, (unsigned long long)s, (unsigned long long)comm,
                (unsigned long long)pop, (unsigned long long)hh, key, (unsigned long long)d2d,
                (unsigned long long)hr, cx + 3.0 * gsl_rng_uniform(g) - 1.5,
                cy + 3.0 * gsl_rng_uniform(g) - 1.5);
        if (k % 2 == 0)
          fprintf(f[2], "S%llu-C%llu,S%llu,community,6,100,07:00,21:00,%.2f,%.2f\n",
                  (unsigned long long)s, (unsigned long long)k, (unsigned long long)s,
                  cx + 2.0 * gsl_rng_uniform(g) - 1.0, cy + 2.0 * gsl_rng_uniform(g) - 1.0);
        comm++;
        k++;
      }
      fprintf(f[2], "S%llu-F1,S%llu,fixed,8,100,00:00,24:00,%.2f,%.2f\n", (unsigned long long)s,
              (unsigned long long)s, cx, cy);
      fprintf(f[2], "S%llu-F2,S%llu,fixed,6,100,06:00,24:00,%.2f,%.2f\n", (unsigned long long)s,
              (unsigned long long)s, cx + 0.4, cy - 0.3);
      fprintf(f[2], "S%llu-T1,S%llu,temporary,8,100,06:00,22:00,%.2f,%.2f\n",
              (unsigned long long)s, (unsigned long long)s, cx - 0.3, cy + 0.2);
      fprintf(f[2], "S%llu-D,S%llu,door_to_door,%llu,10,08:00,20:00,%.2f,%.2f\n",
              (unsigned long long)s, (unsigned long long)s,
              (unsigned long long)(d2d_street / 80 + 1), cx, cy);
    }
    /* labs: 3 000 tubes a day each, enough for the city in about two days */
    uint64_t labs = residents / 60000 + 1;
    for (uint64_t l = 0; l < labs; l++)
      fprintf(f[3], "L%llu,lab %llu,5,90,216,00:00,24:00,%.2f,%.2f\n", (unsigned long long)l,
              (unsigned long long)l, 5.0 * side * gsl_rng_uniform(g),
              5.0 * side * gsl_rng_uniform(g));
  }
  for (int k = 0; k < 4; k++) {
    if (f[k] && (ferror(f[k]) | fclose(f[k])) && !rc)
      rc = PSC_EIO;
  }
  if (!rc)
    rc = psc__outset_commit(set, names, 4);
  psc_outset_free(set);
  gsl_rng_free(g);
  return rc;
}
