"""Strings of the Overview page."""

STRINGS = {
    "ov_title": {"zh": "服务质量总览", "en": "Service quality overview"},
    "ov_period": {"zh": "{cur}（对比上期 {prev}）· {team}", "en": "{cur} (compared with {prev}) · {team}"},
    "ov_empty": {
        "zh": "还没有数据。请在“数据导入”页导入质检、拨测或满意度导出表，或运行 make run 生成演示数据。",
        "en": "No data yet. Import monitoring, call-test or survey exports on the Import page, or run make run for demo data.",
    },
    "ov_index": {"zh": "服务质量综合指数", "en": "Service quality index"},
    "ov_index_help": {
        "zh": "按指标体系加权汇总的 0–100 分综合指数（见“指标体系”页）：100 = 每项指标都达到目标值，0 = 都在底线。"
              "本期有数据的指标占权重的 {coverage}。",
        "en": "The weighted 0–100 roll-up of the indicator system (see the Indicator system page): 100 = every "
              "indicator at its target, 0 = every one at its floor. Indicators with data this period carry "
              "{coverage} of the weights.",
    },
    "ov_index_scale": {"zh": "100 = 全部达标，0 = 底线", "en": "100 = all at target, 0 = at floor"},
    "ov_index_coverage": {"zh": "覆盖权重 {coverage}", "en": "covers {coverage} of the weights"},
    "ov_index_missing": {"zh": "本期缺少数据、未计入综合指数的指标：{names}", "en": "Indicators without data this period, left out of the index: {names}"},
    "ov_index_not_compared": {"zh": "覆盖不足 {rule}，不与上期比较。", "en": "Not compared with the previous period: below {rule} coverage."},
    "ov_card_help": {"zh": "本期样本 {n}，上期 {prev_n}", "en": "Observations: {n} this period, {prev_n} before"},
    "ov_no_data_card": {"zh": "本期无数据", "en": "No data in this period"},
    "ov_significant": {"zh": "变化显著", "en": "significant change"},
    "ov_noise": {"zh": "属正常波动", "en": "within normal variation"},
    "ov_too_few": {"zh": "数据太少，无法判断", "en": "too few data to tell"},
    "ov_untested": {"zh": "未检验", "en": "not tested"},
    "ov_card_n": {"zh": "{word} · 样本 {n}", "en": "{word} · n = {n}"},
    "ov_card_year": {"zh": "同比 {delta}（{word}）", "en": "vs. a year earlier: {delta} ({word})"},
    "ov_index_year": {"zh": "同比 {delta}", "en": "vs. a year earlier: {delta}"},
    "ov_trend": {"zh": "综合指数趋势与控制限", "en": "Index trend with control limits"},
    "ov_trend_short": {"zh": "所选时间段内周期太少，无法画控制图（至少需要 3 个周期）。可以选更长的时间段或更细的粒度。",
                       "en": "Too few periods for a control chart (at least 3). Choose a longer period or a finer grain."},
    "ov_ucl": {"zh": "控制上限", "en": "Upper control limit"},
    "ov_lcl": {"zh": "控制下限", "en": "Lower control limit"},
    "ov_center": {"zh": "中心线", "en": "Center line"},
    "ov_index_axis": {"zh": "综合指数（0–100）", "en": "Index (0–100)"},
    "ov_ranking": {"zh": "班组排名（综合指数）", "en": "Team ranking (index)"},
    "ov_ranking_empty": {"zh": "本期没有可排名的班组数据。", "en": "No team data to rank in this period."},
    "ov_not_ranked": {"zh": "未排名：{units}。", "en": "Not ranked: {units}."},
    "ov_not_ranked_n": {"zh": "{team}（样本仅 {n}）", "en": "{team} (n = {n} only)"},
    "ov_not_ranked_coverage": {"zh": "{team}（指标覆盖仅 {coverage}）", "en": "{team} ({coverage} of the weights covered)"},
    "ov_ranking_note": {
        "zh": "悬停可查看样本量。样本少的班组波动大，名次差一两位不代表真实差距，请结合“逐级下钻”页的漏斗图判断。",
        "en": "Hover for sample sizes. Small teams vary more: one or two places apart is not a real difference; see the funnel plot on the Drill-down page.",
    },
    "ov_alerts": {"zh": "本期预警", "en": "Alerts of the period"},
    "ov_alerts_help": {
        "zh": "预警来自控制图：把本期放在整个历史序列中看是否异常；上方卡片只比较本期与上一期。两者可能不同，例如本期与上期相近、但两期都低于长期水平。",
        "en": "Alerts come from the control charts: is this period unusual against the whole history? The cards "
              "above only compare this period with the previous one. The two can differ, e.g. when this period is "
              "close to the last but both lie below the long-run level.",
    },
    "ov_no_alerts": {"zh": "本期没有控制图异常信号，也没有漏做的评价。", "en": "No control-chart signals and no missed evaluations in this period."},
    "ov_open_chart": {"zh": "查看控制图", "en": "Open the control chart"},
    "ov_open_calendar": {"zh": "查看合规日历", "en": "Open the compliance calendar"},
    "ov_missing": {"zh": "漏做 {n} 期：{periods}", "en": "{n} missed: {periods}"},
    "ov_good_news": {"zh": "向好的信号（{n}）", "en": "Signals of improvement ({n})"},
}
