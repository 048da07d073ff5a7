/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-store.h>

G_BEGIN_DECLS

#define SAPA_IMPORT_ERROR (sapa_import_error_quark ())
typedef enum {
  SAPA_IMPORT_ERROR_MISSING_COLUMN,
  SAPA_IMPORT_ERROR_EMPTY,
  SAPA_IMPORT_ERROR_UNREADABLE,
} SapaImportError;
GQuark sapa_import_error_quark (void);

typedef struct {
  guint line;      /* 1-based line in the file where the row starts */
  char *message;   /* translated reason */
} SapaImportProblem;

typedef struct {
  guint      imported;
  GPtrArray *problems;  /* SapaImportProblem*, in line order */
} SapaImportReport;

void sapa_import_report_free (SapaImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SapaImportReport, sapa_import_report_free)

/* Customers from CSV (header row; columns name, phone, email, account,
 * segment, language, tags; UTF-8). Several phones, emails or tags in one cell
 * are separated by ";". Bad rows are reported with their line and reason and
 * skipped; good rows are written in one transaction with their change-log
 * entries. A file-level problem (unreadable, no name column) is a GError and
 * nothing is written. */
SapaImportReport *sapa_import_customers_csv (SapaStore   *store,
                                             const char  *csv_path,
                                             GError     **error);

G_END_DECLS
