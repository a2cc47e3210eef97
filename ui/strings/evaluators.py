"""Strings of the QA-staff review page (pages/evaluators.py)."""

STRINGS = {
    "evaluators_title": {"zh": "质检员月度评议", "en": "QA staff review"},
    "evaluators_intro": {
        "zh": "质检员本身的工作质量：完成量是否达到定额、打分是否偏松或偏严、校准会上彼此是否一致、申诉改判多不多。",
        "en": "How the QA staff themselves are doing: did they meet the evaluation quota, do they score too leniently "
              "or too severely, do they agree with each other in calibration sessions, and how often are their "
              "scores appealed and overturned.",
    },
    "evaluators_db_error": {"zh": "无法读取数据库：{error}", "en": "Cannot read the database: {error}"},
    "evaluators_empty": {
        "zh": "所选时间段内没有带质检员姓名的质检记录。请换一个时间段，或在“数据导入”页导入含“质检员”列的质检表。",
        "en": "No QA evaluations with an evaluator's name in this period. Pick another period, or import monitoring "
              "exports with an evaluator column on the Import page.",
    },
    "evaluators_headline_lenient": {
        "zh": "**{name} 打分偏松**：对同一批坐席（同月），比其他质检员平均高 **{diff} 分**（95% 区间 {lo} 至 {hi} 分）。"
              "建议在下次校准会上重点复核其评分。",
        "en": "**{name} scores leniently**: on the same agents in the same month, {name}'s scores are **{diff} points "
              "higher** than the other evaluators' (95% interval {lo} to {hi}). Review these scores at the next "
              "calibration session.",
    },
    "evaluators_headline_severe": {
        "zh": "**{name} 打分偏严**：对同一批坐席（同月），比其他质检员平均低 **{diff} 分**（95% 区间 {lo} 至 {hi} 分）。",
        "en": "**{name} scores severely**: on the same agents in the same month, {name}'s scores are **{diff} points "
              "lower** than the other evaluators' (95% interval {lo} to {hi}).",
    },
    "evaluators_headline_none": {
        "zh": "没有质检员的打分与同行相差 {d} 分以上：打分尺度一致。",
        "en": "No evaluator's scores differ from their peers' by {d} points or more: everyone scores alike.",
    },
    "evaluators_kpi_evaluations": {"zh": "质检评估数", "en": "Evaluations"},
    "evaluators_kpi_per_day": {"zh": "人均每个工作日完成", "en": "Per evaluator per working day"},
    "evaluators_kpi_per_day_help": {
        "zh": "每名质检员平均每个工作日完成的评估数；定额为每个工作日 {quota} 条。",
        "en": "Evaluations per working day, averaged over the evaluators; the quota is {quota} per working day.",
    },
    "evaluators_kpi_quota": {"zh": "定额 {quota} 条/天", "en": "quota {quota}/day"},
    "evaluators_kpi_quota_met": {"zh": "达到定额的质检员", "en": "Evaluators meeting the quota"},
    "evaluators_n_of": {"zh": "{n} / {total} 人", "en": "{n} of {total}"},
    "evaluators_kpi_alpha": {"zh": "校准一致性（α）", "en": "Calibration agreement (α)"},
    "evaluators_kpi_alpha_help": {
        "zh": "Krippendorff α：校准会上多名质检员给同一通录音打分的一致程度。1 为完全一致，0.80 以上为可靠，"
              "0.67–0.80 为基本可用，低于 0.67 说明评分标准理解不一致。",
        "en": "Krippendorff's alpha: how well the evaluators agree when they score the same contact in a calibration "
              "session. 1 = perfect; 0.80 or more is reliable, 0.67–0.80 acceptable, below 0.67 means they read "
              "the scoring rules differently.",
    },
    "evaluators_band_good": {"zh": "可靠", "en": "reliable"},
    "evaluators_band_tentative": {"zh": "基本可用", "en": "acceptable"},
    "evaluators_band_low": {"zh": "一致性低", "en": "low"},
    "evaluators_band_none": {"zh": "无法计算", "en": "not computable"},
    "evaluators_workload": {"zh": "完成量与定额", "en": "Workload against the quota"},
    "evaluators_quota": {"zh": "定额（每个工作日评估条数）", "en": "Quota (evaluations per working day)"},
    "evaluators_cal": {"zh": "工作日历", "en": "Working-day calendar"},
    "evaluators_cal_cn": {"zh": "国家法定节假日及调休", "en": "China's public holidays and make-up days"},
    "evaluators_cal_hol": {"zh": "法定节假日（周末调休日不上班）", "en": "Public holidays, no make-up weekend days"},
    "evaluators_cal_mf": {"zh": "仅周一至周五", "en": "Monday–Friday only"},
    "evaluators_cal_missing": {
        "zh": "{years} 年的法定节假日未收录，这些年份按周一至周五计算工作日。",
        "en": "No public-holiday calendar for {years}: there every Monday–Friday counts as a working day.",
    },
    "evaluators_workload_help": {
        "zh": "条形为每名质检员平均每个工作日完成的评估数，虚线为定额（每个工作日 {quota} 条）。"
              "本时间段共 {days} 个工作日，每人应完成 {total} 条。绿色为达到定额，蓝色为未达到。",
        "en": "Each bar is an evaluator's evaluations per working day; the dashed line is the quota ({quota} per "
              "working day). The period has {days} working days, so {total} evaluations each. Green = quota met, "
              "blue = below the quota.",
    },
    "evaluators_bar_text": {"zh": "{per_day} 条/天 · 共 {n} 条 · 定额的 {pct}", "en": "{per_day}/day · {n} in total · {pct} of quota"},
    "evaluators_quota_line": {"zh": "定额 {quota} 条/天", "en": "quota {quota}/day"},
    "evaluators_axis_per_day": {"zh": "每个工作日评估条数", "en": "Evaluations per working day"},
    "evaluators_by_period_day": {"zh": "每日完成量（红色短线为当日定额）", "en": "Evaluations per day (red mark: that day's quota)"},
    "evaluators_by_period_week": {"zh": "每周完成量（红色短线为当周定额）", "en": "Evaluations per week (red mark: that week's quota)"},
    "evaluators_by_period_month": {"zh": "每月完成量（红色短线为当月定额）", "en": "Evaluations per month (red mark: that month's quota)"},
    "evaluators_grain_note": {
        "zh": "完成量最粗按月统计，季度、半年的选择在此按月显示。",
        "en": "Workload is shown by month at most: a quarter or half-year grain is shown by month here.",
    },
    "evaluators_quota_legend": {"zh": "定额", "en": "quota"},
    "evaluators_leniency": {"zh": "打分偏松还是偏严", "en": "Lenient or severe?"},
    "evaluators_leniency_help": {
        "zh": "只比较可比的录音：同一坐席、同一个月里，某质检员给的分与其他质检员给的分相差多少。圆点为平均差，横线为 95% 区间。"
              "在 0 右边 = 比同行给分高（偏松），左边 = 偏低（偏严）。只有相差 {d} 分以上且不是偶然（已对 {n} 名质检员的比较做多重比较校正）"
              "时才标为偏松/偏严；"
              "灰色区域内视为与同行一致。",
        "en": "Only comparable contacts count: for the same agent in the same month, how many points an evaluator's "
              "scores differ from the other evaluators'. The dot is the average difference, the line its 95% "
              "interval. Right of 0 = scores higher than peers (lenient), left = lower (severe). Labelled lenient "
              "or severe only when the difference is {d} points or more and not chance (after correcting for {n} "
              "comparisons); inside the grey band = in line with peers.",
    },
    "evaluators_leniency_empty": {
        "zh": "没有足够的可比评估（同一坐席同月被多名质检员评过）来比较打分尺度。请选择更长的时间段。",
        "en": "Not enough comparable evaluations (the same agent scored by several evaluators in a month) to compare "
              "scoring. Pick a longer period.",
    },
    "evaluators_in_line_band": {"zh": "±{d} 分内：与同行一致", "en": "within ±{d} points: in line"},
    "evaluators_hover_cells": {
        "zh": "%{customdata[0]} 个坐席·月，%{customdata[1]} 次评估",
        "en": "%{customdata[0]} agent-months, %{customdata[1]} evaluations",
    },
    "evaluators_axis_diff": {"zh": "与同行的平均分差（分）", "en": "Difference from peers (points)"},
    "evaluators_leniency_few": {
        "zh": "可比评估太少、未作判断：{names}。",
        "en": "Too few comparable evaluations to judge: {names}.",
    },
    "evaluators_leniency_table": {"zh": "明细数字", "en": "The numbers"},
    "evaluators_col_evaluator": {"zh": "质检员", "en": "Evaluator"},
    "evaluators_col_verdict": {"zh": "结论", "en": "Verdict"},
    "evaluators_col_diff": {"zh": "平均分差", "en": "Difference (points)"},
    "evaluators_col_ci": {"zh": "95% 区间", "en": "95% interval"},
    "evaluators_col_cells": {"zh": "可比坐席·月", "en": "Agent-months compared"},
    "evaluators_col_compared": {"zh": "参与比较的评估数", "en": "Evaluations compared"},
    "evaluators_distribution": {"zh": "各质检员给分分布", "en": "Scores each evaluator gave"},
    "evaluators_all_median": {"zh": "全体中位数 {m}", "en": "all evaluators' median {m}"},
    "evaluators_axis_score": {"zh": "质检得分", "en": "QA score"},
    "evaluators_distribution_help": {
        "zh": "箱体为中间一半的分数，箱中竖线为中位数，两端须线为 5% 至 95% 分位。橙色为偏松的质检员。"
              "致命差错记 0 分（共 {zeros} 条），未画出。这里是原始分数，未按坐席调整；是否偏松以上一图为准。",
        "en": "The box holds the middle half of the scores, the line in it is the median, the whiskers reach from the "
              "5th to the 95th percentile. Orange = a lenient evaluator. Scores of 0 (critical errors, {zeros} in all) "
              "are not drawn. These are raw scores, not adjusted for which agents each evaluator scored: the "
              "chart above is the fair comparison.",
    },
    "evaluators_calibration": {"zh": "校准会一致性（每月）", "en": "Calibration agreement per month"},
    "evaluators_calibration_empty": {
        "zh": "所选时间段内没有校准记录（同一通录音由多名质检员评分）。校准会的评分导入时需带同一个“录音编号”。",
        "en": "No calibration sessions in this period (one contact scored by several evaluators). Import the "
              "calibration scores with the same contact id for every evaluator.",
    },
    "evaluators_calibration_help": {
        "zh": "每月校准会上，几名质检员给同一批录音打分。柱高为 Krippendorff α：1 为完全一致，0.80 以上可靠，"
              "0.67–0.80 基本可用，低于 0.67 说明大家对评分标准理解不一致。",
        "en": "Each month several evaluators score the same contacts in a calibration session. The bar is "
              "Krippendorff's alpha: 1 = full agreement, 0.80 or more reliable, 0.67–0.80 acceptable, below 0.67 "
              "the evaluators read the scoring rules differently.",
    },
    "evaluators_line_good": {"zh": "0.80 可靠", "en": "0.80 reliable"},
    "evaluators_line_tentative": {"zh": "0.67 基本可用", "en": "0.67 acceptable"},
    "evaluators_axis_alpha": {"zh": "一致性 α", "en": "Agreement (alpha)"},
    "evaluators_icc_nan": {
        "zh": "{total} 个月中有 {n} 个月的 ICC 显示为“—”：这些月的校准会上并非每名质检员都评了每一通录音，"
              "ICC 只能在“人人评全部录音”时计算。α 允许有人缺评，因此仍可比较。",
        "en": "ICC shows “—” in {n} of {total} months: in those sessions not every evaluator scored every contact, "
              "and ICC is only defined when everyone scores every contact. Alpha allows such gaps, so it is the "
              "number to compare.",
    },
    "evaluators_col_month": {"zh": "月份", "en": "Month"},
    "evaluators_col_contacts": {"zh": "校准录音数", "en": "Contacts"},
    "evaluators_col_evaluators": {"zh": "参与质检员", "en": "Evaluators"},
    "evaluators_col_ratings": {"zh": "评分数", "en": "Scores"},
    "evaluators_col_alpha": {"zh": "α", "en": "Alpha"},
    "evaluators_col_icc": {"zh": "ICC(2,1)", "en": "ICC(2,1)"},
    "evaluators_icc_undefined": {"zh": "—（有人未评全）", "en": "— (not everyone scored all)"},
    "evaluators_col_mean_sd": {"zh": "同一录音分数标准差（均值）", "en": "Spread on one contact (mean sd)"},
    "evaluators_col_max_range": {"zh": "同一录音最大分差", "en": "Largest gap on one contact"},
    "evaluators_items": {"zh": "校准时分歧最大的评分项", "en": "Items the evaluators disagree on most"},
    "evaluators_items_help": {
        "zh": "校准录音上，同一评分项各质检员扣分的离散程度（分）。越长说明对该项标准理解越不一致，适合作为下次校准会的重点。",
        "en": "On the calibration contacts, how far apart the evaluators' points are on each item. The longer the "
              "bar, the more differently the item is read: a topic for the next calibration session.",
    },
    "evaluators_item_text": {"zh": "±{sd} 分 · {share} 的录音有分歧（{n} 通）", "en": "±{sd} pts · disagree on {share} of {n} contacts"},
    "evaluators_axis_item_sd": {"zh": "同一录音上的分歧（标准差，分）", "en": "Spread on one contact (sd, points)"},
    "evaluators_appeals": {"zh": "申诉与改判", "en": "Appeals and overturns"},
    "evaluators_appeals_empty": {
        "zh": "所选时间段内没有申诉记录。若有申诉，请在质检表中导入“申诉状态”列。",
        "en": "No appeals in this period. If there were some, import the monitoring exports with their appeal-status "
              "column.",
    },
    "evaluators_appeals_help": {
        "zh": "左：被坐席申诉的评估占比。右：已有结果的申诉中改判（申诉成功）的比例。改判率高说明评分出错多；"
              "偏松的质检员通常申诉和改判都少。",
        "en": "Left: share of evaluations the agent appealed. Right: of the appeals already decided, the share that "
              "was overturned. A high overturn rate means many scoring mistakes; a lenient evaluator usually gets "
              "few appeals and few overturns.",
    },
    "evaluators_appeal_rate": {"zh": "申诉率", "en": "Appeal rate"},
    "evaluators_overturn_rate": {"zh": "改判率（已决申诉）", "en": "Overturn rate (decided appeals)"},
    "evaluators_appeal_text": {"zh": "{pct}（{n}/{total}）", "en": "{pct} ({n} of {total})"},
    "evaluators_overturn_text": {"zh": "{pct}（{n}/{total}）", "en": "{pct} ({n} of {total})"},
    "evaluators_appeals_pending": {
        "zh": "另有 {n} 条申诉尚在处理中，未计入改判率。",
        "en": "{n} more appeals are still pending and not in the overturn rate.",
    },
    "evaluators_period_note": {"zh": "统计时间段：{d0} 至 {d1}。", "en": "Period: {d0} to {d1}."},
}
