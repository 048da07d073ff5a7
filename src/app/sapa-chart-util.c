/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <sapa/sapa-number.h>

#include "sapa-chart-util.h"

G_DEFINE_ENUM_TYPE (SapaChartColor, sapa_chart_color,
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_ACCENT, "accent"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SUCCESS, "success"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_WARNING, "warning"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_NEUTRAL, "neutral"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_1, "series-1"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_2, "series-2"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_3, "series-3"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_4, "series-4"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_5, "series-5"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_COLOR_SERIES_6, "series-6"),
  G_DEFINE_ENUM_VALUE (SAPA_CHART_N_COLORS, "n-colors"))

/* The series palette from the GNOME colour palette: the darker shades on a
 * light background, the lighter ones on a dark background, so each keeps a
 * contrast of at least 3:1 against the window and they stay apart from each
 * other (blue, orange, green, purple, brown, red). */
static const char *const series_light[] = {
  "#1c71d8", "#c64600", "#26a269", "#813d9c", "#865e3c", "#c01c28",
};
static const char *const series_dark[] = {
  "#62a0ea", "#ffa348", "#57e389", "#dc8add", "#cdab8f", "#f66151",
};

/* The named colours of libadwaita's stylesheet and the values it gives them,
 * used when a theme does not define them. */
static const struct {
  const char *name;
  const char *light;
  const char *dark;
} theme_colors[] = {
  [SAPA_CHART_COLOR_ACCENT] = { "accent_color", "#1c71d8", "#78aeed" },
  [SAPA_CHART_COLOR_SUCCESS] = { "success_color", "#1b8553", "#8ff0a4" },
  [SAPA_CHART_COLOR_WARNING] = { "warning_color", "#9c6e03", "#f8e45c" },
  [SAPA_CHART_COLOR_ERROR] = { "error_color", "#c01c28", "#ff7b63" },
};

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

static void
widget_fg (GtkWidget *widget,
           GdkRGBA   *rgba)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), rgba);
}

static gboolean
lookup_named (GtkWidget  *widget,
              const char *name,
              GdkRGBA    *rgba)
{
  return gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, rgba);
}

G_GNUC_END_IGNORE_DEPRECATIONS

gboolean
sapa_chart_is_dark (GtkWidget *widget)
{
  GdkRGBA fg;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  /* light text means a dark background, whatever set it (the style
   * manager, a high-contrast theme or a dark card) */
  widget_fg (widget, &fg);
  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}

void
sapa_chart_foreground (GtkWidget *widget,
                       double     alpha,
                       GdkRGBA   *rgba)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (rgba != NULL);

  widget_fg (widget, rgba);
  rgba->alpha *= alpha;
}

void
sapa_chart_lookup_color (GtkWidget      *widget,
                         SapaChartColor  color,
                         GdkRGBA        *rgba)
{
  gboolean dark;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (rgba != NULL);

  dark = sapa_chart_is_dark (widget);
  switch (color)
    {
    case SAPA_CHART_COLOR_ACCENT:
    case SAPA_CHART_COLOR_SUCCESS:
    case SAPA_CHART_COLOR_WARNING:
    case SAPA_CHART_COLOR_ERROR:
      if (!lookup_named (widget, theme_colors[color].name, rgba))
        gdk_rgba_parse (rgba, dark ? theme_colors[color].dark : theme_colors[color].light);
      return;

    case SAPA_CHART_COLOR_NEUTRAL:
      sapa_chart_foreground (widget, 0.45, rgba);
      return;

    case SAPA_CHART_COLOR_SERIES_1:
    case SAPA_CHART_COLOR_SERIES_2:
    case SAPA_CHART_COLOR_SERIES_3:
    case SAPA_CHART_COLOR_SERIES_4:
    case SAPA_CHART_COLOR_SERIES_5:
    case SAPA_CHART_COLOR_SERIES_6:
      {
        guint i = color - SAPA_CHART_COLOR_SERIES_1;

        gdk_rgba_parse (rgba, dark ? series_dark[i] : series_light[i]);
        return;
      }

    case SAPA_CHART_N_COLORS:
    default:
      sapa_chart_foreground (widget, 1.0, rgba);
      return;
    }
}

char *
sapa_chart_format_default (double   value,
                           gpointer user_data)
{
  return sapa_format_decimal (value, 0);
}

char *
sapa_chart_format (SapaChartFormatFunc func,
                   gpointer            data,
                   double              value)
{
  if (isnan (value))
    /* Translators: shown for a point or bar without data */
    return g_strdup (_("No data"));
  if (func == NULL)
    return sapa_chart_format_default (value, NULL);
  return func (value, data);
}

static double
nice_step (double raw)
{
  double mag, norm;

  mag = pow (10.0, floor (log10 (raw)));
  norm = raw / mag;
  if (norm <= 1.0)
    return mag;
  if (norm <= 2.0)
    return 2.0 * mag;
  /* 2.5 only where it stays a whole number: counts on an axis of 0-10
   * would read 0, 2, 5, 8, 10 once formatted without decimals */
  if (norm <= 2.5 && mag >= 10.0)
    return 2.5 * mag;
  if (norm <= 5.0)
    return 5.0 * mag;
  return 10.0 * mag;
}

guint
sapa_chart_nice_ticks (double  min,
                       double  max,
                       guint   target,
                       double *nice_min,
                       double *nice_max,
                       double *step)
{
  double s, lo, hi;

  if (!isfinite (min) || !isfinite (max))
    {
      min = 0;
      max = 1;
    }
  if (min > max)
    {
      double t = min;
      min = max;
      max = t;
    }
  if (max - min < 1e-9)
    {
      /* one value: a range around it that keeps 0 in view when near */
      if (fabs (min) < 1e-9)
        max = 1;
      else if (min > 0)
        min = 0;
      else
        max = 0;
    }
  target = MAX (target, 2);

  s = nice_step ((max - min) / (target - 1));
  lo = floor (min / s + 1e-9) * s;
  hi = ceil (max / s - 1e-9) * s;

  if (nice_min != NULL)
    *nice_min = lo;
  if (nice_max != NULL)
    *nice_max = hi;
  if (step != NULL)
    *step = s;
  return (guint) llround ((hi - lo) / s) + 1;
}

/* -- text ------------------------------------------------------------------ */

static PangoLayout *
make_layout (GtkWidget  *widget,
             const char *text,
             gboolean    small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  if (small)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

void
sapa_chart_measure_text (GtkWidget  *widget,
                         const char *text,
                         gboolean    small,
                         int        *width,
                         int        *height)
{
  g_autoptr(PangoLayout) layout = make_layout (widget, text ? text : "", small);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (width != NULL)
    *width = w;
  if (height != NULL)
    *height = h;
}

void
sapa_chart_append_text (GtkWidget     *widget,
                        GtkSnapshot   *snapshot,
                        const char    *text,
                        double         x,
                        double         y,
                        double         xalign,
                        double         yalign,
                        const GdkRGBA *color,
                        gboolean       small)
{
  g_autoptr(PangoLayout) layout = NULL;
  int w, h;

  if (text == NULL || text[0] == '\0')
    return;

  layout = make_layout (widget, text, small);
  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - xalign * w),
                                                         round (y - yalign * h)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
sapa_chart_append_rule (GtkSnapshot   *snapshot,
                        double         x0,
                        double         y0,
                        double         x1,
                        double         y1,
                        const GdkRGBA *color)
{
  graphene_rect_t r;

  if (fabs (y1 - y0) < fabs (x1 - x0))
    graphene_rect_init (&r, MIN (x0, x1), floor (y0), fabs (x1 - x0), 1);
  else
    graphene_rect_init (&r, floor (x0), MIN (y0, y1), 1, fabs (y1 - y0));
  gtk_snapshot_append_color (snapshot, color, &r);
}

/* -- interaction ------------------------------------------------------------ */

struct _SapaChartCore {
  GtkWidget          *widget;   /* unowned: the core lives inside it */
  SapaChartCoreClass  klass;
  GArray             *items;
  int                 hover;
  int                 focus;
};

static const SapaChartItem *
item_or_null (SapaChartCore *core,
              int            index)
{
  if (index < 0 || (guint) index >= core->items->len)
    return NULL;
  return &g_array_index (core->items, SapaChartItem, index);
}

static int
find_index (SapaChartCore *core,
            guint          a,
            guint          b)
{
  for (guint i = 0; i < core->items->len; i++)
    {
      const SapaChartItem *it = &g_array_index (core->items, SapaChartItem, i);

      if (it->a == a && it->b == b)
        return (int) i;
    }
  return -1;
}

static int
index_at (SapaChartCore *core,
          double         x,
          double         y)
{
  const graphene_point_t p = GRAPHENE_POINT_INIT (x, y);
  int best = -1;
  double best_d = G_MAXDOUBLE;

  /* the nearest centre among the items whose area holds the point (line
   * charts' point areas overlap where lines cross) */
  for (guint i = 0; i < core->items->len; i++)
    {
      const SapaChartItem *it = &g_array_index (core->items, SapaChartItem, i);
      graphene_point_t c;
      double d;

      if (!graphene_rect_contains_point (&it->hit, &p))
        continue;
      graphene_rect_get_center (&it->mark, &c);
      d = (c.x - x) * (c.x - x) + (c.y - y) * (c.y - y);
      if (d < best_d)
        {
          best_d = d;
          best = (int) i;
        }
    }
  return best;
}

static void
set_hover (SapaChartCore *core,
           int            hover)
{
  if (core->hover == hover)
    return;
  core->hover = hover;
  gtk_widget_queue_draw (core->widget);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           SapaChartCore            *core)
{
  set_hover (core, index_at (core, x, y));
}

static void
leave_cb (GtkEventControllerMotion *motion,
          SapaChartCore            *core)
{
  set_hover (core, -1);
}

static void
activate_index (SapaChartCore *core,
                int            index)
{
  const SapaChartItem *it = item_or_null (core, index);

  if (it != NULL && core->klass.activate != NULL)
    {
      SapaChartItem copy = *it;

      core->klass.activate (core->widget, &copy);
    }
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             SapaChartCore   *core)
{
  int index = index_at (core, x, y);

  if (index < 0)
    return;
  gtk_widget_grab_focus (core->widget);
  if (core->focus != index)
    {
      core->focus = index;
      gtk_widget_queue_draw (core->widget);
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  activate_index (core, index);
}

static void
ensure_focus (SapaChartCore *core)
{
  if (core->focus < 0 && core->items->len > 0)
    core->focus = 0;
}

/* Moves the focus by @da on the first index or @db on the second, to the
 * nearest item that way with the other index unchanged. */
static gboolean
move_focus (SapaChartCore *core,
            int            da,
            int            db)
{
  const SapaChartItem *cur;
  int best = -1;
  gint64 best_d = G_MAXINT64;

  ensure_focus (core);
  cur = item_or_null (core, core->focus);
  if (cur == NULL)
    return FALSE;

  for (guint i = 0; i < core->items->len; i++)
    {
      const SapaChartItem *it = &g_array_index (core->items, SapaChartItem, i);
      gint64 d;

      if (da != 0)
        {
          if (it->b != cur->b)
            continue;
          d = ((gint64) it->a - (gint64) cur->a) * da;
        }
      else
        {
          if (it->a != cur->a)
            continue;
          d = ((gint64) it->b - (gint64) cur->b) * db;
        }
      if (d > 0 && d < best_d)
        {
          best_d = d;
          best = (int) i;
        }
    }
  if (best < 0)
    return FALSE;
  core->focus = best;
  gtk_widget_queue_draw (core->widget);
  gtk_widget_trigger_tooltip_query (core->widget);
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SapaChartCore         *core)
{
  int horizontal = 0, vertical = 0;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      horizontal = gtk_widget_get_direction (core->widget) == GTK_TEXT_DIR_RTL ? 1 : -1;
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      horizontal = gtk_widget_get_direction (core->widget) == GTK_TEXT_DIR_RTL ? -1 : 1;
      break;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      vertical = -1;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      vertical = 1;
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      ensure_focus (core);
      if (core->focus < 0)
        return FALSE;
      gtk_widget_queue_draw (core->widget);
      activate_index (core, core->focus);
      return TRUE;
    default:
      return FALSE;
    }

  if (core->items->len == 0)
    return FALSE;
  if (core->focus < 0)
    {
      ensure_focus (core);
      gtk_widget_queue_draw (core->widget);
      return TRUE;
    }
  if (horizontal != 0)
    return core->klass.left_right_moves_a ? move_focus (core, horizontal, 0)
                                          : move_focus (core, 0, horizontal);
  vertical *= core->klass.down_delta;
  return core->klass.left_right_moves_a ? move_focus (core, 0, vertical)
                                        : move_focus (core, vertical, 0);
}

static void
focus_changed_cb (GtkEventControllerFocus *focus,
                  SapaChartCore           *core)
{
  gtk_widget_queue_draw (core->widget);
}

static gboolean
query_tooltip_cb (GtkWidget     *widget,
                  int            x,
                  int            y,
                  gboolean       keyboard_mode,
                  GtkTooltip    *tooltip,
                  SapaChartCore *core)
{
  const SapaChartItem *it;
  g_autofree char *text = NULL;
  int index;

  if (keyboard_mode)
    {
      ensure_focus (core);
      index = core->focus;
    }
  else
    index = index_at (core, x, y);

  it = item_or_null (core, index);
  if (it == NULL || core->klass.describe == NULL)
    return FALSE;

  text = core->klass.describe (widget, it);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) {
    floor (it->hit.origin.x), floor (it->hit.origin.y),
    ceil (it->hit.size.width), ceil (it->hit.size.height) });
  return TRUE;
}

SapaChartCore *
sapa_chart_core_new (GtkWidget                *widget,
                     const SapaChartCoreClass *klass)
{
  SapaChartCore *core = g_new0 (SapaChartCore, 1);
  GtkEventController *controller;
  GtkGesture *click;

  core->widget = widget;
  core->klass = *klass;
  core->items = g_array_new (FALSE, TRUE, sizeof (SapaChartItem));
  core->hover = -1;
  core->focus = -1;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), core);
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), core);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), core);
  gtk_widget_add_controller (widget, controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (released_cb), core);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), core);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (focus_changed_cb), core);
  g_signal_connect (controller, "leave", G_CALLBACK (focus_changed_cb), core);
  gtk_widget_add_controller (widget, controller);

  g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_tooltip_cb), core);
  g_object_set_data (G_OBJECT (widget), "sapa-chart-core", core);
  return core;
}

void
sapa_chart_core_free (SapaChartCore *core)
{
  if (core == NULL)
    return;
  g_signal_handlers_disconnect_by_data (core->widget, core);
  g_object_set_data (G_OBJECT (core->widget), "sapa-chart-core", NULL);
  g_array_unref (core->items);
  g_free (core);
}

void
sapa_chart_core_set_items (SapaChartCore *core,
                           GArray        *items)
{
  const SapaChartItem *focus = item_or_null (core, core->focus);
  const SapaChartItem *hover = item_or_null (core, core->hover);
  guint fa = 0, fb = 0, ha = 0, hb = 0;
  gboolean had_focus = focus != NULL, had_hover = hover != NULL;

  if (had_focus)
    {
      fa = focus->a;
      fb = focus->b;
    }
  if (had_hover)
    {
      ha = hover->a;
      hb = hover->b;
    }

  g_array_set_size (core->items, 0);
  if (items != NULL)
    g_array_append_vals (core->items, items->data, items->len);

  core->focus = had_focus ? find_index (core, fa, fb) : -1;
  core->hover = had_hover ? find_index (core, ha, hb) : -1;
}

void
sapa_chart_core_set_navigation (SapaChartCore *core,
                                gboolean       left_right_moves_a,
                                int            down_delta)
{
  core->klass.left_right_moves_a = left_right_moves_a;
  core->klass.down_delta = down_delta;
}

const SapaChartItem *
sapa_chart_core_get_focus (SapaChartCore *core)
{
  return item_or_null (core, core->focus);
}

const SapaChartItem *
sapa_chart_core_get_hover (SapaChartCore *core)
{
  return item_or_null (core, core->hover);
}

const SapaChartItem *
sapa_chart_core_find (SapaChartCore *core,
                      guint          a,
                      guint          b)
{
  return item_or_null (core, find_index (core, a, b));
}

gboolean
sapa_chart_core_get_focus_indices (SapaChartCore *core,
                                   guint         *a,
                                   guint         *b)
{
  const SapaChartItem *item = sapa_chart_core_get_focus (core);

  if (item == NULL)
    return FALSE;
  if (a != NULL)
    *a = item->a;
  if (b != NULL)
    *b = item->b;
  return TRUE;
}

gboolean
sapa_chart_core_get_item_center (SapaChartCore *core,
                                 guint          a,
                                 guint          b,
                                 double        *x,
                                 double        *y)
{
  const SapaChartItem *item = sapa_chart_core_find (core, a, b);
  graphene_point_t c;

  if (item == NULL)
    return FALSE;
  graphene_rect_get_center (&item->mark, &c);
  if (x != NULL)
    *x = c.x;
  if (y != NULL)
    *y = c.y;
  return TRUE;
}

const SapaChartItem *
sapa_chart_core_item_at (SapaChartCore *core,
                         double         x,
                         double         y)
{
  return item_or_null (core, index_at (core, x, y));
}

void
sapa_chart_core_snapshot (SapaChartCore *core,
                          GtkSnapshot   *snapshot)
{
  const SapaChartItem *hover = item_or_null (core, core->hover);
  const SapaChartItem *focus = item_or_null (core, core->focus);
  GskRoundedRect rr;

  if (hover != NULL)
    {
      GdkRGBA fg;

      if (core->klass.points)
        {
          /* a halo around the point */
          graphene_rect_t halo;

          graphene_rect_inset_r (&hover->mark, -3, -3, &halo);
          sapa_chart_foreground (core->widget, 0.25, &fg);
          gsk_rounded_rect_init_from_rect (&rr, &halo, halo.size.width / 2);
          gtk_snapshot_push_rounded_clip (snapshot, &rr);
          gtk_snapshot_append_color (snapshot, &fg, &halo);
          gtk_snapshot_pop (snapshot);
        }
      else
        {
          /* the bar or cell lightened or darkened by the text colour */
          sapa_chart_foreground (core->widget, 0.22, &fg);
          gtk_snapshot_append_color (snapshot, &fg, &hover->mark);
        }
    }

  if (focus != NULL && gtk_widget_has_focus (core->widget))
    {
      GdkRGBA ring;
      graphene_rect_t box;
      const float widths[4] = { 2, 2, 2, 2 };
      GdkRGBA colors[4];

      sapa_chart_lookup_color (core->widget, SAPA_CHART_COLOR_ACCENT, &ring);
      for (guint i = 0; i < 4; i++)
        colors[i] = ring;
      graphene_rect_inset_r (&focus->mark, -3, -3, &box);
      gsk_rounded_rect_init_from_rect (&rr, &box,
                                       core->klass.points ? box.size.width / 2 : 3);
      gtk_snapshot_append_border (snapshot, &rr, widths, colors);
    }
}

char *
sapa_chart_tooltip_at (GtkWidget *chart,
                       double     x,
                       double     y)
{
  SapaChartCore *core;
  const SapaChartItem *it;

  g_return_val_if_fail (GTK_IS_WIDGET (chart), NULL);

  core = g_object_get_data (G_OBJECT (chart), "sapa-chart-core");
  g_return_val_if_fail (core != NULL, NULL);

  it = item_or_null (core, index_at (core, x, y));
  if (it == NULL || core->klass.describe == NULL)
    return NULL;
  return core->klass.describe (chart, it);
}

guint
sapa_chart_get_n_items (GtkWidget *chart)
{
  SapaChartCore *core;

  g_return_val_if_fail (GTK_IS_WIDGET (chart), 0);

  core = g_object_get_data (G_OBJECT (chart), "sapa-chart-core");
  g_return_val_if_fail (core != NULL, 0);
  return core->items->len;
}

void
sapa_chart_clear_format (gpointer       data,
                         GDestroyNotify destroy)
{
  if (destroy != NULL)
    destroy (data);
}

void
sapa_chart_replace_format (SapaChartFormatFunc *func,
                           gpointer            *data,
                           GDestroyNotify      *destroy,
                           SapaChartFormatFunc  new_func,
                           gpointer             new_data,
                           GDestroyNotify       new_destroy)
{
  sapa_chart_clear_format (*data, *destroy);
  *func = new_func;
  *data = new_data;
  *destroy = new_destroy;
}

guint
sapa_chart_class_setup (GtkWidgetClass *widget_class,
                        const char     *css_name,
                        const char     *signal_name)
{
  gtk_widget_class_set_css_name (widget_class, css_name);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  return g_signal_new (signal_name, G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                       0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}
