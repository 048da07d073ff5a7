/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>
#include <sapa/sapa-record.h>
#include <sapa/sapa-change.h>
#include <sapa/sapa-labels.h>
#include <sapa/sapa-store.h>
#include <sapa/sapa-search.h>
#include <sapa/sapa-desk.h>
#include <sapa/sapa-demo.h>
#include <sapa/sapa-import.h>
#include <sapa/sapa-json.h>
#include <sapa/sapa-sync.h>
#include <sapa/sapa-metrics.h>
#include <sapa/sapa-survey-link.h>
#include <sapa/sapa-catalog.h>
