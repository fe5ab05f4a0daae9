/* SPDX-License-Identifier: MIT */
/* Renders the monitor's state: component log fragments, the --once text view and the JSON object
 * (json-c). Values keep their kernel names and units (kB as KiB, PSI total in µs). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "daemon/monitor.h"
#include "daemon/report.h"

/* Component value in its human unit, in hundredths: % for shares, pages/s for rates. */
static uint64_t component_value_centi(HrComponent c, uint64_t raw) {
        switch (c) {
        case HR_COMP_PSI_SOME:
        case HR_COMP_PSI_FULL:
        case HR_COMP_SWAP_FILL:
                return raw;
        case HR_COMP_MEM_AVAILABLE:
                return raw <= 10000 ? 10000 - raw : 0; /* shown as % available */
        default:
                return raw * 100;
        }
}

static const char *component_unit(HrComponent c) {
        switch (c) {
        case HR_COMP_SWAP_IO:
        case HR_COMP_REFAULT:
                return "pages/s";
        case HR_COMP_MEM_AVAILABLE:
                return "% available";
        default:
                return "%";
        }
}

const char *hr_format_centi_signed(int32_t v, char *buf, size_t size) {
        int64_t a = v < 0 ? -(int64_t) v : v;
        (void) snprintf(buf, size, "%c%lld.%02lld", v < 0 ? '-' : '+', (long long) (a / 100), (long long) (a % 100));
        return buf;
}

void hr_report_components_line(const HrPressure *p, char *buf, size_t size) {
        size_t o = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < _HR_COMP_MAX && o < size; i++) {
                uint64_t v = component_value_centi((HrComponent) i, p->raw[i]);
                int n = snprintf(buf + o, size - o, "%s%s %llu.%02llu%s (%u.%02u pts)", i ? ", " : "",
                                 hr_component_to_string((HrComponent) i), (unsigned long long) (v / 100),
                                 (unsigned long long) (v % 100), component_unit((HrComponent) i)[0] == '%' ? "%" : " p/s",
                                 p->points_centi[i] / 100, p->points_centi[i] % 100);
                if (n < 0)
                        break;
                o += (size_t) n;
        }
}

static void human_kib(uint64_t kib, char *buf, size_t size) {
        if (kib >= 1024 * 1024)
                (void) snprintf(buf, size, "%.1f GiB", (double) kib / (1024.0 * 1024.0));
        else if (kib >= 1024)
                (void) snprintf(buf, size, "%.1f MiB", (double) kib / 1024.0);
        else
                (void) snprintf(buf, size, "%llu KiB", (unsigned long long) kib);
}

void hr_report_status_line(const HrMonitor *m, char *buf, size_t size) {
        const HrSample *s = hr_monitor_current(m);
        char avail[32], total[32], sused[32], stotal[32];

        if (!s) {
                (void) snprintf(buf, size, "no sample yet");
                return;
        }
        human_kib(hr_meminfo_get(&s->meminfo, HR_MEM_AVAILABLE), avail, sizeof avail);
        human_kib(hr_meminfo_get(&s->meminfo, HR_MEM_TOTAL), total, sizeof total);
        uint64_t st = hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_TOTAL);
        human_kib(st - MIN(st, hr_meminfo_get(&s->meminfo, HR_MEM_SWAP_FREE)), sused, sizeof sused);
        human_kib(st, stotal, sizeof stotal);
        const char *lim = s->scope_mem.limited ? hr_sensors_scope_limit_rel(&m->sensors) : NULL;
        (void) snprintf(buf, size, "level %s, score %u.%02u; MemAvailable %s of %s%s%s%s, swap %s of %s, %u zram; PSI %s%s%s",
                        hr_level_to_string(m->level.level), m->pressure.score_centi / 100,
                        m->pressure.score_centi % 100, avail, total, lim ? " (the scope's limit, " : "",
                        lim ? lim : "", lim ? ")" : "", sused, stotal, s->n_zram,
                        m->scope_rel[0] ? "of cgroup /" : "system-wide", m->scope_rel,
                        s->has_psi[HR_PSI_MEMORY] ? "" : " (unavailable)");
}

/* Numbers with exactly two decimals: 1/100 units in, JSON number out. */
static json_object *centi(uint64_t v) {
        char s[32];
        (void) snprintf(s, sizeof s, "%llu.%02llu", (unsigned long long) (v / 100), (unsigned long long) (v % 100));
        return json_object_new_double_s((double) v / 100.0, s);
}

static json_object *centi_signed(int64_t v) {
        char s[32];
        uint64_t a = (uint64_t) (v < 0 ? -v : v);
        (void) snprintf(s, sizeof s, "%s%llu.%02llu", v < 0 ? "-" : "", (unsigned long long) (a / 100),
                        (unsigned long long) (a % 100));
        return json_object_new_double_s((double) v / 100.0, s);
}

static json_object *u64(uint64_t v) {
        return json_object_new_uint64(v);
}

static json_object *psi_line_json(const HrPsiLine *l) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "avg10", centi(l->avg10_permyriad));
        json_object_object_add(o, "avg60", centi(l->avg60_permyriad));
        json_object_object_add(o, "avg300", centi(l->avg300_permyriad));
        json_object_object_add(o, "total", u64(l->total_usec));
        return o;
}

static json_object *components_json(const HrMonitor *m) {
        const HrPressure *p = &m->pressure;
        json_object *o = json_object_new_object();
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                HrComponent c = (HrComponent) i;
                json_object *e = json_object_new_object();
                json_object_object_add(e, "value", centi(component_value_centi(c, p->raw[i])));
                json_object_object_add(e, "unit", json_object_new_string(component_unit(c)));
                json_object_object_add(e, "points", centi(p->points_centi[i]));
                json_object_object_add(e, "weight", centi(m->config.pressure.weight_permille[i] / 10));
                json_object_object_add(o, hr_component_to_string(c), e);
        }
        return o;
}

json_object *hr_report_json(const HrMonitor *m) {
        const HrSample *s = hr_monitor_current(m);
        json_object *o = json_object_new_object();

        if (!o || !s)
                return o;
        json_object_object_add(o, "version", json_object_new_string(HR_VERSION));
        json_object_object_add(o, "scope", m->scope_rel[0] ? json_object_new_string(m->scope_rel) : NULL);
        json_object_object_add(o, "level", json_object_new_string(hr_level_to_string(m->level.level)));
        json_object_object_add(o, "score", centi(m->pressure.score_centi));
        json_object_object_add(o, "trend", centi_signed(m->pressure.trend_centi_per_sec));
        json_object_object_add(o, "rates", json_object_new_boolean(m->pressure.has_rates));
        json_object_object_add(o, "components", components_json(m));

        json_object *psi = json_object_new_object();
        for (unsigned i = 0; i < _HR_PSI_RESOURCE_MAX; i++) {
                if (!s->has_psi[i]) {
                        json_object_object_add(psi, hr_psi_resource_to_string((HrPsiResource) i), NULL);
                        continue;
                }
                json_object *r = json_object_new_object();
                json_object_object_add(r, "some", psi_line_json(&s->psi[i].some));
                if (s->psi[i].has_full)
                        json_object_object_add(r, "full", psi_line_json(&s->psi[i].full));
                json_object_object_add(psi, hr_psi_resource_to_string((HrPsiResource) i), r);
        }
        json_object_object_add(o, "psi", psi);

        json_object *mi = json_object_new_object();
        for (unsigned i = 0; i < _HR_MEM_FIELD_MAX; i++)
                if (hr_meminfo_has(&s->meminfo, (HrMeminfoField) i))
                        json_object_object_add(mi, hr_meminfo_field_to_string((HrMeminfoField) i),
                                               u64(s->meminfo.kib[i]));
        json_object_object_add(o, "meminfo", mi);

        json_object *vm = json_object_new_object();
        for (unsigned i = 0; i < _HR_VM_FIELD_MAX; i++)
                if (hr_vmstat_has(&s->vmstat, (HrVmstatField) i))
                        json_object_object_add(vm, hr_vmstat_field_to_string((HrVmstatField) i), u64(s->vmstat.v[i]));
        json_object_object_add(o, "vmstat", vm);

        json_object *sw = json_object_new_object();
        json_object_object_add(sw, "size_kib", u64(s->swaps.size_kib));
        json_object_object_add(sw, "used_kib", u64(s->swaps.used_kib));
        json_object *devs = json_object_new_array();
        for (unsigned i = 0; i < s->swaps.n_dev; i++) {
                const HrSwapDev *d = &s->swaps.dev[i];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "name", json_object_new_string(d->name));
                json_object_object_add(e, "type", json_object_new_string(d->is_file ? "file" : "partition"));
                json_object_object_add(e, "size_kib", u64(d->size_kib));
                json_object_object_add(e, "used_kib", u64(d->used_kib));
                json_object_object_add(e, "priority", json_object_new_int(d->priority));
                json_object_array_add(devs, e);
        }
        json_object_object_add(sw, "devices", devs);
        json_object_object_add(o, "swaps", sw);

        json_object *zr = json_object_new_array();
        for (unsigned i = 0; i < s->n_zram; i++) {
                const HrZramDev *z = &s->zram[i];
                json_object *e = json_object_new_object();
                char name[32];
                (void) snprintf(name, sizeof name, "zram%u", z->index);
                json_object_object_add(e, "device", json_object_new_string(name));
                json_object_object_add(e, "disksize", u64(z->disksize_bytes));
                json_object_object_add(e, "orig_data_size", u64(z->stat.orig_data_bytes));
                json_object_object_add(e, "compr_data_size", u64(z->stat.compr_data_bytes));
                json_object_object_add(e, "mem_used_total", u64(z->stat.mem_used_total_bytes));
                json_object_object_add(e, "mem_limit", u64(z->stat.mem_limit_bytes));
                json_object_object_add(e, "mem_used_max", u64(z->stat.mem_used_max_bytes));
                json_object_object_add(e, "same_pages", u64(z->stat.same_pages));
                json_object_object_add(e, "compression_ratio",
                                       z->stat.mem_used_total_bytes
                                               ? centi(z->stat.orig_data_bytes * 100 / z->stat.mem_used_total_bytes)
                                               : NULL);
                json_object_array_add(zr, e);
        }
        json_object_object_add(o, "zram", zr);
        return o;
}

void hr_report_text(const HrMonitor *m, FILE *f) {
        const HrSample *s = hr_monitor_current(m);
        const HrPressure *p = &m->pressure;

        if (!s)
                return;
        fprintf(f, "level:   %s\n", hr_level_to_string(m->level.level));
        char trend[24];
        fprintf(f, "score:   %u.%02u / 100 (trend %s/s)\n", p->score_centi / 100, p->score_centi % 100,
                hr_format_centi_signed(p->trend_centi_per_sec, trend, sizeof trend));
        fprintf(f, "scope:   %s\n", m->scope_rel[0] ? m->scope_rel : "system-wide");
        fprintf(f, "\n%-14s %14s %10s %8s\n", "component", "value", "points", "weight");
        for (unsigned i = 0; i < _HR_COMP_MAX; i++) {
                HrComponent c = (HrComponent) i;
                uint64_t v = component_value_centi(c, p->raw[i]);
                char val[48];
                (void) snprintf(val, sizeof val, "%llu.%02llu%s%s", (unsigned long long) (v / 100),
                                (unsigned long long) (v % 100), c == HR_COMP_SWAP_IO || c == HR_COMP_REFAULT ? " " : "",
                                c == HR_COMP_SWAP_IO || c == HR_COMP_REFAULT ? "p/s" : "%");
                fprintf(f, "%-14s %14s %7u.%02u %8.2f\n", hr_component_to_string(c), val, p->points_centi[i] / 100,
                        p->points_centi[i] % 100, m->config.pressure.weight_permille[i] / 1000.0);
        }
        if (s->has_psi[HR_PSI_MEMORY]) {
                const HrPsi *ps = &s->psi[HR_PSI_MEMORY];
                fprintf(f, "\npsi memory some avg10 %u.%02u total %llu us", ps->some.avg10_permyriad / 100,
                        ps->some.avg10_permyriad % 100, (unsigned long long) ps->some.total_usec);
                if (ps->has_full)
                        fprintf(f, "; full avg10 %u.%02u total %llu us", ps->full.avg10_permyriad / 100,
                                ps->full.avg10_permyriad % 100, (unsigned long long) ps->full.total_usec);
                fputc('\n', f);
        } else
                fprintf(f, "\npsi memory: unavailable\n");
        fprintf(f, "MemAvailable %llu kB of MemTotal %llu kB; swap %llu of %llu kB used\n",
                (unsigned long long) hr_meminfo_get(&s->meminfo, HR_MEM_AVAILABLE),
                (unsigned long long) hr_meminfo_get(&s->meminfo, HR_MEM_TOTAL),
                (unsigned long long) s->swaps.used_kib, (unsigned long long) s->swaps.size_kib);
}
