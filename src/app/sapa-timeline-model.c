/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-timeline-model"

#include "config.h"

#include "sapa-timeline-model.h"

struct _SapaTimelineModel
{
  GObject       parent_instance;

  SapaStore    *store;
  char         *customer_id;
  char         *channel;
  char         *text;

  GPtrArray    *items;        /* SapaTimelineEntry, newest first */
  GHashTable   *ids;          /* id (owned) -> SapaTimelineEntry (borrowed from items) */
  guint         n_total;
  GError       *error;

  /* Each reload starts a generation; answers of older ones are dropped. */
  guint         generation;
  GCancellable *cancellable;
  gboolean      loading;
  gboolean      complete;

  /* Store changes are gathered and answered by one refresh at a time. */
  guint         refresh_source;
  gboolean      refresh_running;
  gboolean      want_head;
  GHashTable   *changed_conversations;
};

static void sapa_timeline_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SapaTimelineModel, sapa_timeline_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sapa_timeline_model_list_model_init))

enum {
  PROP_0,
  PROP_CUSTOMER_ID,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_N_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_page (SapaTimelineModel *self,
                        SapaRecord        *after,
                        guint              limit);
static void schedule_refresh (SapaTimelineModel *self);

/* Page and count queries, run in a thread. */
typedef struct {
  SapaStore  *store;
  char       *customer_id;
  char       *channel;
  char       *text;
  SapaRecord *after;
  guint       limit;
  guint       generation;
  gboolean    with_count;   /* the first page also counts, so both arrive together */
  /* answers */
  GPtrArray  *entries;
  guint       n_total;
} PageJob;

static void
page_job_free (gpointer data)
{
  PageJob *job = data;

  g_clear_object (&job->store);
  g_free (job->customer_id);
  g_free (job->channel);
  g_free (job->text);
  g_clear_object (&job->after);
  g_clear_pointer (&job->entries, g_ptr_array_unref);
  g_free (job);
}

static PageJob *
page_job_new (SapaTimelineModel *self)
{
  PageJob *job = g_new0 (PageJob, 1);

  job->store = g_object_ref (self->store);
  job->customer_id = g_strdup (self->customer_id);
  job->channel = g_strdup (self->channel);
  job->text = g_strdup (self->text);
  job->generation = self->generation;
  return job;
}

static GPtrArray *
entries_from_records (GPtrArray *records)
{
  GPtrArray *entries = g_ptr_array_new_full (records->len, g_object_unref);

  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (entries, sapa_timeline_entry_new (g_ptr_array_index (records, i)));
  return entries;
}

static void
page_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PageJob *job = task_data;
  SapaTimelineFilter filter = { job->channel, job->text };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;

  records = sapa_store_list_timeline (job->store, job->customer_id, &filter,
                                      job->after, job->limit, &error);
  if (records != NULL)
    job->entries = entries_from_records (records);
  if (records != NULL && job->with_count)
    job->n_total = sapa_store_count_timeline (job->store, job->customer_id, &filter, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
mark_days (SapaTimelineModel *self,
           guint              from,
           guint              to)
{
  for (guint i = from; i < to && i < self->items->len; i++)
    {
      SapaTimelineEntry *entry = g_ptr_array_index (self->items, i);
      SapaTimelineEntry *prev = i > 0 ? g_ptr_array_index (self->items, i - 1) : NULL;

      sapa_timeline_entry_set_first_of_day (entry, prev == NULL ||
                                            sapa_timeline_entry_get_day (prev) !=
                                            sapa_timeline_entry_get_day (entry));
    }
}

static void
set_error (SapaTimelineModel *self,
           const GError      *error)
{
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
}

static void
page_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);
  PageJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean first = job->after == NULL;
  guint removed = 0, position, added = 0;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          job->generation != self->generation)
        return;
      g_warning ("Could not load the timeline: %s", error->message);
      set_error (self, error);
      if (first)
        {
          /* Show the (empty) state rather than a spinner forever. */
          removed = self->items->len;
          g_ptr_array_set_size (self->items, 0);
          g_hash_table_remove_all (self->ids);
          if (removed > 0)
            g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
          self->loading = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
        }
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
      return;
    }
  if (job->generation != self->generation)
    return;

  set_error (self, NULL);
  if (first)
    {
      removed = self->items->len;
      g_ptr_array_set_size (self->items, 0);
      g_hash_table_remove_all (self->ids);
    }
  position = self->items->len;
  for (guint i = 0; i < job->entries->len; i++)
    {
      SapaTimelineEntry *entry = g_ptr_array_index (job->entries, i);
      const char *id = sapa_timeline_entry_get_id (entry);

      /* An entry put at the top by a refresh may come again in a page. */
      if (g_hash_table_contains (self->ids, id))
        continue;
      g_ptr_array_add (self->items, g_object_ref (entry));
      g_hash_table_insert (self->ids, g_strdup (id), entry);
      added++;
    }
  mark_days (self, position, self->items->len);
  g_list_model_items_changed (G_LIST_MODEL (self), first ? 0 : position, removed, first ? self->items->len : added);

  if (first)
    {
      self->n_total = job->n_total;
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }

  if (job->entries->len == job->limit && self->items->len > 0)
    {
      SapaTimelineEntry *last = g_ptr_array_index (self->items, self->items->len - 1);
      g_autoptr(SapaRecord) after = sapa_record_copy (sapa_timeline_entry_get_record (last));

      start_page (self, after, SAPA_TIMELINE_PAGE);
    }
  else
    {
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }

  if (first && (self->want_head || g_hash_table_size (self->changed_conversations) > 0))
    schedule_refresh (self);
}

static void
start_page (SapaTimelineModel *self,
            SapaRecord        *after,
            guint              limit)
{
  g_autoptr(GTask) task = NULL;
  PageJob *job = page_job_new (self);

  job->after = after != NULL ? g_object_ref (after) : NULL;
  job->limit = limit;
  job->with_count = after == NULL;
  task = g_task_new (self, self->cancellable, page_done_cb, NULL);
  g_task_set_source_tag (task, start_page);
  g_task_set_task_data (task, job, page_job_free);
  g_task_run_in_thread (task, page_thread);
}

/* Refresh: the newest page and the changed conversations. */
typedef struct {
  SapaStore  *store;
  char       *customer_id;
  char       *channel;
  char       *text;
  guint       generation;
  gboolean    head;
  GPtrArray  *conversation_ids;
  /* answers */
  GPtrArray  *entries;
  GPtrArray  *conversations;
  guint       n_total;
} RefreshJob;

static void
refresh_job_free (gpointer data)
{
  RefreshJob *job = data;

  g_clear_object (&job->store);
  g_free (job->customer_id);
  g_free (job->channel);
  g_free (job->text);
  g_clear_pointer (&job->conversation_ids, g_ptr_array_unref);
  g_clear_pointer (&job->entries, g_ptr_array_unref);
  g_clear_pointer (&job->conversations, g_ptr_array_unref);
  g_free (job);
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshJob *job = task_data;
  SapaTimelineFilter filter = { job->channel, job->text };
  g_autoptr(GError) error = NULL;

  if (job->head)
    {
      g_autoptr(GPtrArray) records = NULL;

      records = sapa_store_list_timeline (job->store, job->customer_id, &filter,
                                          NULL, SAPA_TIMELINE_HEAD_PAGE, &error);
      if (records == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      job->entries = entries_from_records (records);
      job->n_total = sapa_store_count_timeline (job->store, job->customer_id, &filter, NULL);
    }

  job->conversations = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < job->conversation_ids->len; i++)
    {
      g_autoptr(SapaRecord) conversation = NULL;

      conversation = sapa_store_get (job->store, "conversation",
                                     g_ptr_array_index (job->conversation_ids, i), NULL);
      if (conversation != NULL)
        g_ptr_array_add (job->conversations, g_steal_pointer (&conversation));
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
apply_head (SapaTimelineModel *self,
            GPtrArray         *head)
{
  guint known = G_MAXUINT;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < head->len; i++)
    {
      SapaTimelineEntry *entry = g_ptr_array_index (head, i);

      if (g_hash_table_contains (self->ids, sapa_timeline_entry_get_id (entry)))
        {
          if (known == G_MAXUINT)
            known = i;
        }
      else if (known != G_MAXUINT)
        {
          /* Something new below entries we already show: not a simple
           * insertion at the top. */
          return FALSE;
        }
      else
        {
          g_ptr_array_add (fresh, g_object_ref (entry));
        }
    }

  if (known == G_MAXUINT && self->items->len > 0 && head->len > 0)
    return FALSE;   /* more new entries than a page, or the list changed under us */
  if (fresh->len == 0)
    return TRUE;

  for (guint i = 0; i < fresh->len; i++)
    {
      SapaTimelineEntry *entry = g_ptr_array_index (fresh, i);

      g_ptr_array_insert (self->items, i, g_object_ref (entry));
      g_hash_table_insert (self->ids, g_strdup (sapa_timeline_entry_get_id (entry)), entry);
    }
  mark_days (self, 0, fresh->len + 1);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, fresh->len);
  return TRUE;
}

static void
apply_conversation (SapaTimelineModel *self,
                    SapaRecord        *conversation)
{
  const char *id = sapa_record_get_id (conversation);

  if (g_strcmp0 (sapa_record_get_string (conversation, "customer_id"), self->customer_id) != 0)
    return;
  for (guint i = 0; i < self->items->len; i++)
    {
      SapaTimelineEntry *entry = g_ptr_array_index (self->items, i);
      SapaRecord *record = sapa_timeline_entry_get_record (entry);

      if (g_strcmp0 (sapa_record_get_string (record, "conversation_id"), id) == 0)
        sapa_timeline_entry_update_conversation (entry, conversation);
    }
}

static void
refresh_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);
  RefreshJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* A reload meanwhile has reset the flag and may run its own refresh. */
  if (job->generation == self->generation)
    self->refresh_running = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not refresh the timeline: %s", error->message);
    }
  else if (job->generation == self->generation)
    {
      if (job->entries != NULL && !apply_head (self, job->entries))
        {
          sapa_timeline_model_reload (self);
          return;
        }
      for (guint i = 0; i < job->conversations->len; i++)
        apply_conversation (self, g_ptr_array_index (job->conversations, i));
      if (job->entries != NULL && job->n_total != self->n_total)
        {
          self->n_total = job->n_total;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
        }
    }

  if (job->generation == self->generation &&
      (self->want_head || g_hash_table_size (self->changed_conversations) > 0))
    schedule_refresh (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  SapaTimelineModel *self = user_data;
  g_autoptr(GTask) task = NULL;
  RefreshJob *job;
  GHashTableIter iter;
  gpointer key;

  self->refresh_source = 0;
  /* The first page answers everything before it; refresh after it. */
  if (self->loading || self->refresh_running || self->customer_id == NULL)
    return G_SOURCE_REMOVE;

  job = g_new0 (RefreshJob, 1);
  job->store = g_object_ref (self->store);
  job->customer_id = g_strdup (self->customer_id);
  job->channel = g_strdup (self->channel);
  job->text = g_strdup (self->text);
  job->generation = self->generation;
  job->head = self->want_head;
  job->conversation_ids = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->changed_conversations);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (job->conversation_ids, g_strdup (key));
  g_hash_table_remove_all (self->changed_conversations);
  self->want_head = FALSE;
  self->refresh_running = TRUE;

  task = g_task_new (self, self->cancellable, refresh_done_cb, NULL);
  g_task_set_source_tag (task, refresh_cb);
  g_task_set_task_data (task, job, refresh_job_free);
  g_task_run_in_thread (task, refresh_thread);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (SapaTimelineModel *self)
{
  if (self->refresh_source == 0)
    self->refresh_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_cb, self, NULL);
}

static void
store_changed_cb (SapaTimelineModel *self,
                  const char        *entity,
                  const char        *id,
                  SapaStore         *store)
{
  if (self->customer_id == NULL || entity == NULL)
    return;
  /* A large synced page names only the entity (id NULL): refresh the newest page. */
  if (g_str_equal (entity, "interaction") || (g_str_equal (entity, "conversation") && id == NULL))
    self->want_head = TRUE;
  else if (g_str_equal (entity, "conversation") && id != NULL)
    g_hash_table_add (self->changed_conversations, g_strdup (id));
  else
    return;
  schedule_refresh (self);
}

static GType
sapa_timeline_model_get_item_type (GListModel *model)
{
  return SAPA_TYPE_TIMELINE_ENTRY;
}

static guint
sapa_timeline_model_get_n_items (GListModel *model)
{
  return SAPA_TIMELINE_MODEL (model)->items->len;
}

static gpointer
sapa_timeline_model_get_item (GListModel *model,
                              guint       position)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
sapa_timeline_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sapa_timeline_model_get_item_type;
  iface->get_n_items = sapa_timeline_model_get_n_items;
  iface->get_item = sapa_timeline_model_get_item;
}

static void
sapa_timeline_model_dispose (GObject *object)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (sapa_timeline_model_parent_class)->dispose (object);
}

static void
sapa_timeline_model_finalize (GObject *object)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->ids, g_hash_table_unref);
  g_clear_pointer (&self->changed_conversations, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->customer_id);
  g_free (self->channel);
  g_free (self->text);

  G_OBJECT_CLASS (sapa_timeline_model_parent_class)->finalize (object);
}

static void
sapa_timeline_model_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);

  switch (prop_id)
    {
    case PROP_CUSTOMER_ID:
      g_value_set_string (value, self->customer_id);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_N_TOTAL:
      g_value_set_uint (value, self->n_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_timeline_model_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SapaTimelineModel *self = SAPA_TIMELINE_MODEL (object);

  switch (prop_id)
    {
    case PROP_CUSTOMER_ID:
      sapa_timeline_model_set_customer_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sapa_timeline_model_class_init (SapaTimelineModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sapa_timeline_model_dispose;
  object_class->finalize = sapa_timeline_model_finalize;
  object_class->get_property = sapa_timeline_model_get_property;
  object_class->set_property = sapa_timeline_model_set_property;

  properties[PROP_CUSTOMER_ID] =
    g_param_spec_string ("customer-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_TOTAL] =
    g_param_spec_uint ("n-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sapa_timeline_model_init (SapaTimelineModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  /* Own copies of the ids: an entry swaps its record when its conversation
   * changes, which frees the old id string. */
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->changed_conversations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

SapaTimelineModel *
sapa_timeline_model_new (SapaStore *store)
{
  SapaTimelineModel *self;

  g_return_val_if_fail (SAPA_IS_STORE (store), NULL);

  self = g_object_new (SAPA_TYPE_TIMELINE_MODEL, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  return self;
}

SapaStore *
sapa_timeline_model_get_store (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), NULL);
  return self->store;
}

void
sapa_timeline_model_reload (SapaTimelineModel *self)
{
  g_return_if_fail (SAPA_IS_TIMELINE_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->refresh_running = FALSE;
  self->want_head = FALSE;
  g_hash_table_remove_all (self->changed_conversations);
  g_clear_handle_id (&self->refresh_source, g_source_remove);

  if (self->customer_id == NULL)
    {
      guint removed = self->items->len;

      g_ptr_array_set_size (self->items, 0);
      g_hash_table_remove_all (self->ids);
      if (removed > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      self->loading = FALSE;
      self->complete = TRUE;
      self->n_total = 0;
    }
  else
    {
      /* The shown entries stay until the first page replaces them, so a
       * reload after a change does not flash an empty list. */
      self->loading = TRUE;
      self->complete = FALSE;
      start_page (self, NULL, SAPA_TIMELINE_FIRST_PAGE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
}

void
sapa_timeline_model_set_customer_id (SapaTimelineModel *self,
                                     const char        *customer_id)
{
  g_return_if_fail (SAPA_IS_TIMELINE_MODEL (self));

  if (g_strcmp0 (self->customer_id, customer_id) == 0)
    return;
  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);

  /* Another customer's entries must not stay on screen meanwhile. */
  if (self->items->len > 0)
    {
      guint removed = self->items->len;

      g_ptr_array_set_size (self->items, 0);
      g_hash_table_remove_all (self->ids);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
    }
  self->n_total = 0;
  sapa_timeline_model_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CUSTOMER_ID]);
}

const char *
sapa_timeline_model_get_customer_id (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), NULL);
  return self->customer_id;
}

void
sapa_timeline_model_set_filter (SapaTimelineModel *self,
                                const char        *channel,
                                const char        *text)
{
  g_return_if_fail (SAPA_IS_TIMELINE_MODEL (self));

  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (self->channel, channel) == 0 && g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->channel);
  self->channel = g_strdup (channel);
  g_free (self->text);
  self->text = g_strdup (text);
  sapa_timeline_model_reload (self);
}

const char *
sapa_timeline_model_get_channel (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), NULL);
  return self->channel;
}

const char *
sapa_timeline_model_get_text (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), NULL);
  return self->text;
}

gboolean
sapa_timeline_model_has_filter (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), FALSE);
  return self->channel != NULL || self->text != NULL;
}

gboolean
sapa_timeline_model_get_loading (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), FALSE);
  return self->loading;
}

gboolean
sapa_timeline_model_get_complete (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), FALSE);
  return self->complete;
}

guint
sapa_timeline_model_get_n_total (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), 0);
  return self->n_total;
}

const GError *
sapa_timeline_model_get_error (SapaTimelineModel *self)
{
  g_return_val_if_fail (SAPA_IS_TIMELINE_MODEL (self), NULL);
  return self->error;
}
