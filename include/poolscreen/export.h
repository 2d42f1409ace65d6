/* Symbol visibility for the poolscreen library (built with hidden visibility). */
#ifndef POOLSCREEN_EXPORT_H
#define POOLSCREEN_EXPORT_H

#if defined(__GNUC__)
#define PSC_API __attribute__((visibility("default")))
#else
#define PSC_API
#endif

#endif
