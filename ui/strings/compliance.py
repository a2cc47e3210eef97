"""Strings of the compliance-calendar page (pages/compliance.py)."""

STRINGS = {
    "compliance_title": {"zh": "质检频次合规日历", "en": "Compliance calendar"},
    "compliance_intro": {
        "zh": "管理办法规定的各项质量评估是否按频次开展：每个工作日质检监听、每周质检拨测、每月领导拨测、"
              "每月非语音渠道质检、每季度系统检查、每半年中心领导质量评审。",
        "en": "Did each evaluation the management measures require happen as often as required: QA monitoring every "
              "working day, QA call tests every week, leadership call tests and non-voice evaluations every month, "
              "system checks every quarter, a senior-management review every half year.",
    },
    "compliance_settings": {"zh": "日历设置", "en": "Calendar settings"},
    "compliance_cal": {"zh": "工作日按", "en": "Working days follow"},
    "compliance_cal_cn": {"zh": "国家法定节假日及调休", "en": "China's public holidays and make-up days"},
    "compliance_cal_hol": {"zh": "法定节假日（周末调休日不上班）", "en": "Public holidays, no make-up weekend days"},
    "compliance_cal_mf": {"zh": "仅周一至周五", "en": "Monday–Friday only"},
    "compliance_reviews_input": {
        "zh": "中心领导质量评审的召开日期（数据库暂无此类记录；如已知可在此填写，多个日期用逗号分隔）",
        "en": "Dates of the senior-management reviews (the database has no record of them yet; type them here if "
              "you know them, separated by commas)",
    },
    "compliance_reviews_bad": {
        "zh": "以下内容不是有效日期，已忽略：{bad}。请按 2026-06-28 的格式填写。",
        "en": "These are not dates and were ignored: {bad}. Write dates like 2026-06-28.",
    },
    "compliance_db_error": {"zh": "无法读取数据库：{error}", "en": "Cannot read the database: {error}"},
    "compliance_empty": {
        "zh": "数据库中还没有数据。请在“数据导入”页导入质检、拨测和系统检查记录。",
        "en": "The database holds no data yet. Import monitoring, call-test and system-check exports on the Import page.",
    },
    "compliance_team_scope": {
        "zh": "班组：**{team}**（系统检查和中心领导评审是全中心的要求，按全中心显示）。",
        "en": "Team: **{team}** (system checks and the senior-management review are center-wide and shown for the "
              "whole center).",
    },
    "compliance_headline": {
        "zh": "本时间段 {total} 项可判断的要求中，{ok} 项每期都按时完成。",
        "en": "{ok} of the {total} requirements that can be judged were met in every period.",
    },
    "compliance_headline_missing": {"zh": "缺漏：{what}。", "en": "Missing: {what}."},
    "compliance_missing_item": {"zh": "{req} {n} {unit}", "en": "{req}, {n} {unit}"},
    "compliance_unit_workday": {"zh": "个工作日", "en": "working day(s)"},
    "compliance_unit_week": {"zh": "周", "en": "week(s)"},
    "compliance_unit_month": {"zh": "个月", "en": "month(s)"},
    "compliance_unit_quarter": {"zh": "个季度", "en": "quarter(s)"},
    "compliance_unit_half_year": {"zh": "个半年", "en": "half-year(s)"},
    "compliance_as_of": {
        "zh": "数据截至 {d}：之后才结束的周期显示为“进行中”，不计入完成率。",
        "en": "Data up to {d}: periods ending later are shown as “in progress” and are not counted in the rate.",
    },
    "compliance_status_met": {"zh": "已完成", "en": "done"},
    "compliance_status_missing": {"zh": "缺漏", "en": "missing"},
    "compliance_status_in_progress": {"zh": "进行中", "en": "in progress"},
    "compliance_status_not_started": {"zh": "未开始", "en": "not started"},
    "compliance_status_before_start": {"zh": "开始统计前", "en": "before counting starts"},
    "compliance_counted_from": {
        "zh": "应做次数从各类记录的第一条开始统计，此前的期次不算漏做：{items}。",
        "en": "Required activity is counted from the first record of each kind; periods before it are not "
              "missing: {items}.",
    },
    "compliance_counted_item": {"zh": "{req} 自 {d}", "en": "{req} from {d}"},
    "compliance_no_records": {"zh": "尚无记录", "en": "no records yet"},
    "compliance_status_holiday": {"zh": "全为假期，无需开展", "en": "holiday, not required"},
    "compliance_status_no_data": {"zh": "暂无数据来源", "en": "no data source yet"},
    "compliance_col_requirement": {"zh": "要求", "en": "Requirement"},
    "compliance_col_result": {"zh": "结果", "en": "Result"},
    "compliance_col_rate": {"zh": "完成率", "en": "Rate"},
    "compliance_col_met": {"zh": "完成期数", "en": "Periods done"},
    "compliance_col_missing": {"zh": "缺漏的周期", "en": "Missing periods"},
    "compliance_col_note": {"zh": "说明", "en": "Note"},
    "compliance_met_of": {"zh": "{met} / {periods}", "en": "{met} of {periods}"},
    "compliance_state_all_met": {"zh": "全部完成", "en": "all done"},
    "compliance_state_missing": {"zh": "缺 {n} 期", "en": "{n} missing"},
    "compliance_state_not_judged": {"zh": "尚无已结束的周期", "en": "no period over yet"},
    "compliance_state_no_data": {"zh": "暂无数据", "en": "no data yet"},
    "compliance_note_no_data": {
        "zh": "数据库尚未记录此类评审，无法判断（不代表未开展），见下方说明。",
        "en": "Not recorded in the database yet, so it cannot be judged (this does not mean it was not held); see below.",
    },
    "compliance_and_more": {"zh": "等，另有 {n} 期", "en": "and {n} more"},
    "compliance_note_holiday": {
        "zh": "{n} 期全为法定假期，不要求开展。",
        "en": "{n} period(s) fall entirely on public holidays: not required.",
    },
    "compliance_note_in_progress": {"zh": "{n} 期尚未结束。", "en": "{n} period(s) not over yet."},
    "compliance_week_from": {"zh": "（{d} 起）", "en": " (from {d})"},
    "compliance_makeup_suffix": {"zh": "（调休上班日）", "en": " (make-up working day)"},
    "compliance_review_no_data": {
        "zh": "**中心领导质量评审（每半年）暂无数据**：系统目前没有记录这类评审的表，所以日历无法显示是否已开展。"
              "这是数据尚未接入，不是中心的缺漏。若已知评审日期，可在上方“日历设置”中填写。",
        "en": "**Senior-management review (half-yearly): no data yet.** Nothing in the system records these reviews "
              "yet, so the calendar cannot show whether they were held. This is a gap in the data, not a failure of "
              "the center. If you know the dates, type them under “Calendar settings” above.",
    },
    "compliance_timeline": {"zh": "各项要求逐期完成情况", "en": "Each requirement, period by period"},
    "compliance_timeline_help": {
        "zh": "每行一项要求，每个色块是一个周期（一天、一周、一个月……）。✓ 绿色 = 已完成，✗ 橙红斜格 = 缺漏，"
              "… 浅蓝 = 进行中，– 灰色 = 全为假期无需开展，? 白框 = 暂无数据。每日监听的缺漏见下方月历。",
        "en": "One row per requirement, one box per period (a day, a week, a month…). ✓ green = done, ✗ hatched "
              "orange-red = missing, … light blue = in progress, – grey = holiday, not required, ? white = no data "
              "yet. The daily monitoring is shown day by day in the month calendars below.",
    },
    "compliance_daily": {"zh": "每日质检监听月历", "en": "Daily QA monitoring, month by month"},
    "compliance_daily_help": {
        "zh": "每个工作日都应有质检监听。绿色 = 当天有质检，橙红并标 ✗ = 当天没有质检，浅灰“休” = 法定假期，"
              "“班” = 周末调休上班日（同样需要质检），空白 = 周末。",
        "en": "There should be QA monitoring on every working day. Green = monitoring done that day, orange-red with "
              "✗ = none that day, light grey “off” = public holiday, “work” = a weekend day worked in exchange for a "
              "holiday (monitoring required too), blank = weekend.",
    },
    "compliance_makeup_hint": {
        "zh": "缺漏的工作日中有 {n} 天是周末调休上班日。若本中心调休日不开展质检，可在“日历设置”中选择“法定节假日（周末调休日不上班）”。",
        "en": "{n} of the missing days are weekend make-up working days. If the center does no QA on those days, "
              "choose “Public holidays, no make-up weekend days” under Calendar settings.",
    },
    "compliance_daily_last12": {"zh": "只显示最近 12 个月。", "en": "The last 12 months are shown."},
    "compliance_daily_legend": {
        "zh": "图例：绿 = 已完成　✗ = 缺漏　… = 进行中　休 = 法定假期　班 = 调休上班日",
        "en": "Key: green = done   ✗ = missing   … = in progress   off = public holiday   work = make-up working day",
    },
    "compliance_mark_holiday": {"zh": "休", "en": "off"},
    "compliance_mark_makeup": {"zh": "班", "en": "work"},
    "compliance_day_holiday": {"zh": "法定假期", "en": "public holiday"},
    "compliance_day_weekend": {"zh": "周末", "en": "weekend"},
    "compliance_day_outside": {"zh": "不在所选时间段内", "en": "outside the selected period"},
    "compliance_day_status": {"zh": "{status}（{n} 条质检）", "en": "{status} ({n} evaluations)"},
    "compliance_wd_0": {"zh": "一", "en": "Mo"},
    "compliance_wd_1": {"zh": "二", "en": "Tu"},
    "compliance_wd_2": {"zh": "三", "en": "We"},
    "compliance_wd_3": {"zh": "四", "en": "Th"},
    "compliance_wd_4": {"zh": "五", "en": "Fr"},
    "compliance_wd_5": {"zh": "六", "en": "Sa"},
    "compliance_wd_6": {"zh": "日", "en": "Su"},
    "compliance_by_team": {"zh": "各班组完成率", "en": "Rate by team"},
    "compliance_by_team_help": {
        "zh": "班组层面的要求按每个班组分别判断。格中为完成率，✗ 后为缺漏期数。点选侧栏“班组”可查看某班组的逐期明细。",
        "en": "Team-level requirements judged for each team. Each cell is the rate, ✗ the number of missing periods. "
              "Pick a team in the sidebar to see that team period by period.",
    },
    "compliance_by_team_empty": {"zh": "没有班组信息（请导入人员名册）。", "en": "No team information (import a roster)."},
    "compliance_rate_axis": {"zh": "完成率", "en": "Rate"},
}
