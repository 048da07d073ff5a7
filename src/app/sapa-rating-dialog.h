/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <sapa/sapa.h>

G_BEGIN_DECLS

#define SAPA_TYPE_RATING_DIALOG (sapa_rating_dialog_get_type ())
G_DECLARE_FINAL_TYPE (SapaRatingDialog, sapa_rating_dialog, SAPA, RATING_DIALOG, AdwWindow)

/*
 * "Record a Rating…": the agent records the score a customer gave by phone
 * or in person, as one survey_response on the conversation (collected_via
 * "phone" or "in_person"). The score is checked as the store checks it
 * (sapa_record_validate()); a refused one is explained in the dialog and
 * nothing is stored. Saved in a thread; the dialog closes once it is.
 * ::saved (gboolean success) is emitted when a save finished.
 */
SapaRatingDialog *sapa_rating_dialog_new            (SapaStore        *store,
                                                     SapaRecord       *conversation,
                                                     const char       *agent_id);
/* What Save does with the values shown; FALSE when the values were refused
 * (see sapa_rating_dialog_get_error()) or a save already runs. */
gboolean          sapa_rating_dialog_save           (SapaRatingDialog *self);
/* The same with given values (@comment and @collected_via may be NULL: none
 * / "phone"). */
gboolean          sapa_rating_dialog_save_rating    (SapaRatingDialog *self,
                                                     const char       *kind,
                                                     int               score,
                                                     const char       *comment,
                                                     const char       *collected_via);
/* Shows @kind ("csat", "nps" or "ces") and its score range. */
void              sapa_rating_dialog_set_kind       (SapaRatingDialog *self,
                                                     const char       *kind);
const char       *sapa_rating_dialog_get_kind       (SapaRatingDialog *self);
void              sapa_rating_dialog_set_score      (SapaRatingDialog *self,
                                                     int               score);
/* The score range of the kind shown. */
void              sapa_rating_dialog_get_range      (SapaRatingDialog *self,
                                                     int              *min,
                                                     int              *max);
/* "phone" or "in_person". */
void              sapa_rating_dialog_set_collected_via (SapaRatingDialog *self,
                                                        const char       *collected_via);
const char       *sapa_rating_dialog_get_collected_via (SapaRatingDialog *self);
/* The error shown, or NULL. */
const char       *sapa_rating_dialog_get_error      (SapaRatingDialog *self);

G_END_DECLS
