"""Strings of the Control charts page."""

STRINGS = {
    "control_charts_title": {"zh": "控制图", "en": "Control charts"},
    "control_charts_intro": {
        "zh": "控制图区分“正常波动”和“真正的变化”：落在两条虚线（控制限）之间的点是随机波动，不必追究；"
              "标出的点是信号，说明过程确实变了，值得找原因。",
        "en": "A control chart tells ordinary ups and downs from real change: points between the two dashed "
              "lines (the control limits) are chance; marked points are signals that something changed and "
              "is worth looking into.",
    },
    "control_charts_metric": {"zh": "指标", "en": "Indicator"},
    "control_charts_level": {"zh": "对象", "en": "Level"},
    "control_charts_level_center": {"zh": "全中心", "en": "Whole center"},
    "control_charts_level_team": {"zh": "班组", "en": "Team"},
    "control_charts_level_agent": {"zh": "坐席", "en": "Agent"},
    "control_charts_team": {"zh": "班组", "en": "Team"},
    "control_charts_agent": {"zh": "坐席", "en": "Agent"},
    "control_charts_settings": {"zh": "图形设置", "en": "Chart settings"},
    "control_charts_chart": {"zh": "图类型", "en": "Chart type"},
    "control_charts_chart_auto_plain": {"zh": "自动（推荐）", "en": "Automatic (recommended)"},
    "control_charts_rules": {"zh": "判异规则", "en": "Rule set"},
    "control_charts_rules_nelson": {"zh": "Nelson 八条规则", "en": "Nelson (8 rules)"},
    "control_charts_rules_western_electric": {"zh": "西电（WE）四条规则", "en": "Western Electric (4 rules)"},
    "control_charts_baseline": {"zh": "控制限的计算基准", "en": "Limits computed from"},
    "control_charts_base_none": {"zh": "全部时段", "en": "All periods"},
    "control_charts_base_first": {"zh": "前若干期（基线期）", "en": "The first periods (baseline)"},
    "control_charts_base_date": {"zh": "某日期之前（如培训前）", "en": "Before a date (e.g. a training)"},
    "control_charts_base_k": {"zh": "基线期数", "en": "Baseline periods"},
    "control_charts_base_until": {"zh": "基线截至（不含）", "en": "Baseline before"},
    "control_charts_base_help": {
        "zh": "用变化前的一段时间算控制限，再看之后的点是否超出——例如培训前的几个月。",
        "en": "Compute the limits from a stretch before a change, then see whether later points leave them — "
              "e.g. the months before a training.",
    },
    "control_charts_base_invalid": {
        "zh": "基线期不足 2 期（{error}），已改用全部时段计算控制限。",
        "en": "The baseline holds fewer than 2 periods ({error}); the limits use all periods instead.",
    },
    "control_charts_no_team": {
        "zh": "还没有班组数据。请在“数据导入”页导入带班组的质检或人员名册。",
        "en": "There are no teams yet. Import monitoring data or a roster with teams on the Import page.",
    },
    "control_charts_no_agent": {
        "zh": "该班组在所选时段内没有坐席记录。请换一个班组或放宽左侧的时间段。",
        "en": "This team has no agent records in the period. Pick another team or widen the period in the sidebar.",
    },
    "control_charts_no_data": {
        "zh": "所选时段内没有“{metric}”的数据。请放宽左侧的时间段，或在“数据导入”页导入相应数据。",
        "en": "There are no data for “{metric}” in this period. Widen the period in the sidebar, or import the "
              "data on the Import page.",
    },
    "control_charts_too_few": {
        "zh": "“{metric}”在所选时段只有 1 期数据，控制图至少需要 2 期。请把左侧的时间粒度改细（如“周”）或放宽时间段。",
        "en": "“{metric}” has data in only one period; a control chart needs at least two. Choose a finer grain "
              "(e.g. week) or a longer period in the sidebar.",
    },
    "control_charts_error": {"zh": "无法画出控制图：{error}", "en": "Cannot draw the control chart: {error}"},
    "control_charts_stable": {
        "zh": "{unit}的“{metric}”没有信号：所有波动都在随机范围内，没有需要追查的特殊原因。",
        "en": "No signals for “{metric}” ({unit}): every change is within what chance explains — no special "
              "cause to look for.",
    },
    "control_charts_summary": {
        "zh": "{unit}的“{metric}”有 {n} 个信号（变差 {worse} 个，向好 {better} 个）。最主要的：{main}",
        "en": "“{metric}” ({unit}) shows {n} signal(s): {worse} worse, {better} better. Main one: {main}",
    },
    "control_charts_unit_center": {"zh": "全中心", "en": "whole center"},
    "control_charts_signals_title": {"zh": "信号说明", "en": "What the signals say"},
    "control_charts_no_signals": {"zh": "没有信号。", "en": "No signals."},
    "control_charts_all_signals": {"zh": "逐期列出全部信号（{n} 期）", "en": "Every signalling period ({n})"},
    "control_charts_why": {"zh": "为什么用这种图", "en": "Why this chart"},
    "control_charts_s_title": {"zh": "组内标准差（S 图）：各期评分的离散程度", "en": "Within-period spread (S chart): how far the scores scatter"},
    "control_charts_s_axis": {"zh": "标准差（分）", "en": "SD (points)"},
    "control_charts_s_hover": {"zh": "{label}<br>标准差 {sd}（n = {n}）<br>上控制限 {ucl}", "en": "{label}<br>SD {sd} (n = {n})<br>upper limit {ucl}"},
    "control_charts_s_read": {
        "zh": "均值图只有在离散程度受控时才能解读：S 图的点超出界限，说明该期评分异常分散（如新人较多、评分口径不一）。",
        "en": "A mean chart can only be read while the spread is in control: an S point outside its limits means "
              "the scores of that period scattered unusually (many new staff, inconsistent scoring).",
    },
    "control_charts_s_out": {"zh": "本图有 {n} 期超出界限。", "en": "{n} periods lie outside the limits."},
    "control_charts_read": {
        "zh": "怎么看：实线是中心线（平均水平），虚线是上下控制限；浅色带是 ±1σ、±2σ 区域。"
              "✖ 变差的信号，★ 向好的信号，■ 异常但无方向的信号。",
        "en": "How to read it: the solid line is the center (the average), the dashed lines the control limits; "
              "the shaded bands are ±1σ and ±2σ. ✖ a signal for the worse, ★ for the better, ■ unusual "
              "without a direction.",
    },
    "control_charts_ucl": {"zh": "上控制限", "en": "Upper limit"},
    "control_charts_lcl": {"zh": "下控制限", "en": "Lower limit"},
    "control_charts_center": {"zh": "中心线", "en": "Center line"},
    "control_charts_zone1": {"zh": "±1σ 区域", "en": "±1σ zone"},
    "control_charts_zone2": {"zh": "±2σ 区域", "en": "±2σ zone"},
    "control_charts_value": {"zh": "实际值", "en": "Value"},
    "control_charts_sig_worse": {"zh": "信号：变差", "en": "Signal: worse"},
    "control_charts_sig_better": {"zh": "信号：向好", "en": "Signal: better"},
    "control_charts_sig_unusual": {"zh": "信号：异常", "en": "Signal: unusual"},
    "control_charts_baseline_band": {"zh": "基线期", "en": "Baseline"},
    "control_charts_hover": {
        "zh": "{label}<br>数值：{value}<br>记录数：{n}<br>控制限：{lcl} – {ucl}",
        "en": "{label}<br>Value: {value}<br>Records: {n}<br>Limits: {lcl} – {ucl}",
    },
    "control_charts_per_day": {"zh": "{metric}（每天）", "en": "{metric} (per day)"},
    "control_charts_data": {"zh": "数据表", "en": "Data"},
    "control_charts_col_period": {"zh": "时段", "en": "Period"},
    "control_charts_col_value": {"zh": "数值", "en": "Value"},
    "control_charts_col_n": {"zh": "记录数", "en": "Records"},
    "control_charts_col_center": {"zh": "中心线", "en": "Center"},
    "control_charts_col_lcl": {"zh": "下控制限", "en": "Lower limit"},
    "control_charts_col_ucl": {"zh": "上控制限", "en": "Upper limit"},
    "control_charts_col_signal": {"zh": "信号", "en": "Signal"},
    "control_charts_chart_title": {"zh": "{metric} · {unit} · {chart}", "en": "{metric} · {unit} · {chart}"},
}
