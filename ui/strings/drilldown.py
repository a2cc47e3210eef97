"""Strings of the Drill-down page (center -> team -> agent -> evaluation)."""

STRINGS = {
    "drilldown_title": {"zh": "逐级下钻", "en": "Drill-down"},
    "drilldown_intro": {
        "zh": "从中心逐级打开班组、坐席，直到单条质检记录：点击图中的柱子或点，或用下拉框选择；点上方的路径返回上一级。链接可直接复制分享。",
        "en": "Open a team, then an agent, then a single evaluation: click a bar or a point in the chart, or pick one "
              "from the list; click the path at the top to go back. The link reopens this exact view.",
    },
    "drilldown_center": {"zh": "中心", "en": "Center"},
    "drilldown_crumb_sep": {"zh": "›", "en": "›"},
    "drilldown_crumb_help": {"zh": "返回这一级", "en": "Back to this level"},
    "drilldown_period": {
        "zh": "{start} 至 {end}，变化与上一期（{pstart} 至 {pend}）比较",
        "en": "{start} to {end}; changes compare with the period before ({pstart} to {pend})",
    },
    "drilldown_empty_db": {
        "zh": "还没有质检记录。请在“数据导入”页导入质检导出表，或运行 `python -m qa_analytics demo` 生成演示数据。",
        "en": "There are no QA evaluations yet. Import a monitoring export on the Import page, or run "
              "`python -m qa_analytics demo` for demo data.",
    },
    "drilldown_unknown_team": {
        "zh": "找不到班组“{team}”，已回到中心。请从下方选择班组。",
        "en": "There is no team “{team}”; showing the whole center. Pick a team below.",
    },
    "drilldown_unknown_agent": {
        "zh": "找不到工号为 {agent} 的坐席，已回到上一级。",
        "en": "There is no agent with id {agent}; showing the level above.",
    },
    "drilldown_unknown_eval": {
        "zh": "找不到质检记录 {record}（可能已被撤销导入删除），已回到上一级。",
        "en": "Evaluation {record} is not in the database (an undone import may have removed it); showing the level above.",
    },
    # headline
    "drilldown_verdict_better": {"zh": "显著改善", "en": "significant improvement"},
    "drilldown_verdict_worse": {"zh": "显著变差", "en": "significant deterioration"},
    "drilldown_verdict_noise": {"zh": "属正常波动", "en": "within normal variation"},
    "drilldown_verdict_too_few": {"zh": "数据太少，无法判断", "en": "too few data to tell"},
    "drilldown_verdict_untested": {"zh": "较上期（数据少，未检验）", "en": "vs previous period (too few data to test)"},
    "drilldown_verdict_count": {"zh": "较上期", "en": "vs previous period"},
    "drilldown_verdict_no_previous": {"zh": "上期无数据", "en": "no data in the previous period"},
    "drilldown_no_data": {"zh": "本期无数据", "en": "no data this period"},
    "drilldown_unit_points": {"zh": "分", "en": "pts"},
    "drilldown_unit_pp": {"zh": "个百分点", "en": "pp"},
    "drilldown_card_help": {
        "zh": "本期 {value}（n = {n}，95% 区间 {lo} – {hi}）；上期 {prev}（n = {prev_n}）；p = {p}。p < 0.05 记为“显著”，否则属正常波动。",
        "en": "This period {value} (n = {n}, 95% interval {lo} – {hi}); previous {prev} (n = {prev_n}); p = {p}. "
              "p < 0.05 counts as significant, otherwise the change is within normal variation.",
    },
    "drilldown_card_help_count": {
        "zh": "本期 {value}，上期 {prev}。",
        "en": "This period {value}, previous period {prev}.",
    },
    # metric choice
    "drilldown_metric": {"zh": "比较指标", "en": "Compare on"},
    # center level
    "drilldown_teams_title": {"zh": "各班组{metric}", "en": "{metric} by team"},
    "drilldown_teams_help": {
        "zh": "点击柱子打开该班组。黑色短线是95%置信区间，虚线是全中心水平。绿色/橙色表示与中心的差距超出随机波动"
              "（精确检验，已对 {n} 个班组的比较做多重比较校正），灰色表示差距在正常范围内。",
        "en": "Click a bar to open the team. Black whiskers: 95% interval; dashed line: the whole center. "
              "Green / orange: the gap to the center is beyond chance (an exact test, after correcting for {n} "
              "comparisons); grey: within normal variation.",
    },
    "drilldown_teams_help_mean": {
        "zh": "点击柱子打开该班组。黑色短线是95%置信区间，虚线是全中心水平。绿色/橙色表示与中心的差距超出随机波动"
              "（以坐席为单位的 t 检验：同一坐席的多条评分并不相互独立；已对 {n} 个班组的比较做多重比较校正），"
              "灰色表示差距在正常范围内。",
        "en": "Click a bar to open the team. Black whiskers: 95% interval; dashed line: the whole center. "
              "Green / orange: the gap to the center is beyond chance (a t test with the agents as the unit, since "
              "one agent's evaluations are not independent, after correcting for {n} comparisons); grey: within "
              "normal variation.",
    },
    "drilldown_pick_team": {"zh": "或选择班组", "en": "Or pick a team"},
    "drilldown_pick_team_ph": {"zh": "选择要打开的班组…", "en": "Choose a team to open…"},
    "drilldown_no_teams": {
        "zh": "该时段没有按班组的“{metric}”数据：换一个比较指标，或在左侧放宽时间段。",
        "en": "No “{metric}” data by team in this period: compare on another metric, or widen the period on the left.",
    },
    "drilldown_center_line": {"zh": "中心 {value}", "en": "Center {value}"},
    "drilldown_team_line": {"zh": "班组 {value}", "en": "Team {value}"},
    "drilldown_assess_better": {"zh": "明显好于平均", "en": "clearly better than average"},
    "drilldown_assess_worse": {"zh": "明显差于平均", "en": "clearly worse than average"},
    "drilldown_assess_as_expected": {"zh": "正常范围内", "en": "within normal range"},
    "drilldown_hover_n": {"zh": "样本量", "en": "n"},
    "drilldown_hover_ci": {"zh": "95%区间", "en": "95% interval"},
    # team level
    "drilldown_agents_title": {"zh": "班组内各坐席：{metric}", "en": "Agents of the team: {metric}"},
    "drilldown_agents_help": {
        "zh": "每个点是一名坐席，横轴是样本量，纵轴是指标。样本少的坐席天然波动大，所以“正常范围”（漏斗）随样本量收窄。"
              "标色的坐席才真正与班组平均不同（精确检验，已对 {n} 名坐席的比较做多重比较校正）。点击点打开该坐席。",
        "en": "Each point is an agent: sample size across, the metric up. Agents with few evaluations vary more by "
              "chance, so the normal range (the funnel) narrows as the sample grows. Coloured agents really differ "
              "from the team average (an exact test, after correcting for {n} comparisons). Click a point to open "
              "the agent.",
    },
    "drilldown_funnel_95": {"zh": "95% 正常范围", "en": "95% normal range"},
    "drilldown_funnel_998": {"zh": "99.8% 正常范围", "en": "99.8% normal range"},
    "drilldown_pick_agent": {"zh": "或选择坐席", "en": "Or pick an agent"},
    "drilldown_pick_agent_ph": {"zh": "选择要打开的坐席…", "en": "Choose an agent to open…"},
    "drilldown_no_agents": {
        "zh": "该班组在此时段没有“{metric}”数据：换一个比较指标，或在左侧放宽时间段。",
        "en": "No “{metric}” data for this team's agents in this period: compare on another metric, or widen the "
              "period on the left.",
    },
    "drilldown_agent_option": {"zh": "{agent} · {n} 条质检", "en": "{agent} · {n} evaluations"},
    "drilldown_n_monitoring": {"zh": "质检条数", "en": "Evaluations"},
    "drilldown_n_survey": {"zh": "有效评价数", "en": "Survey responses"},
    "drilldown_n_call_test": {"zh": "拨测次数", "en": "Call tests"},
    # agent level
    "drilldown_agent_vs_team": {
        "zh": "{agent}的{metric}为 {value}（n = {n}），所在班组为 {target}：{verdict}。",
        "en": "{agent}: {metric} {value} (n = {n}) against the team's {target}: {verdict}.",
    },
    "drilldown_vs_team_better": {"zh": "明显好于班组平均（超出 95% 正常范围）",
                                 "en": "clearly better than the team (outside the 95% normal range)"},
    "drilldown_vs_team_worse": {"zh": "明显差于班组平均（超出 95% 正常范围）",
                                "en": "clearly worse than the team (outside the 95% normal range)"},
    "drilldown_vs_team_as_expected": {"zh": "与班组平均的差距在正常波动范围内",
                                      "en": "the gap to the team is within normal variation"},
    # trend, distribution, pareto
    "drilldown_trend_title": {"zh": "{metric}趋势（按{grain}）", "en": "{metric} over time (by {grain})"},
    "drilldown_trend_help": {
        "zh": "阴影为95%置信区间；灰色虚线为上一级（班组或中心）作对照。",
        "en": "Shaded: 95% interval; grey dashed line: the level above (team or center) for comparison.",
    },
    "drilldown_series_unit_center": {"zh": "中心", "en": "Center"},
    "drilldown_series_center": {"zh": "全中心", "en": "Whole center"},
    "drilldown_series_team": {"zh": "所在班组", "en": "Their team"},
    "drilldown_no_trend": {
        "zh": "该时段没有“{metric}”数据：换一个指标或放宽时间段。",
        "en": "No “{metric}” data in this period: pick another metric or widen the period.",
    },
    "drilldown_dist_title": {"zh": "质检得分分布", "en": "Distribution of QA scores"},
    "drilldown_dist_help": {
        "zh": "每 5 分一档的质检条数（左侧所选渠道的全部质检）；0 分多为致命差错。",
        "en": "Evaluations per 5-point band (every evaluation in the channels chosen on the left); scores of 0 are "
              "mostly critical errors.",
    },
    "drilldown_dist_x": {"zh": "得分", "en": "Score"},
    "drilldown_dist_y": {"zh": "质检条数", "en": "Evaluations"},
    "drilldown_pareto_title": {"zh": "哪些扣分项扣分最多", "en": "Which items cost the most points"},
    "drilldown_pareto_help": {
        "zh": "柱：各扣分项累计扣分（从多到少）；折线：累计占比（右轴）。虚线以左的少数几项占了 80% 的扣分，优先改进它们。",
        "en": "Bars: points lost per item, largest first; line: cumulative share (right axis). The few items left of "
              "the dashed 80% line cause most of the lost points: improve those first.",
    },
    "drilldown_pareto_bar": {"zh": "累计扣分", "en": "Points lost"},
    "drilldown_pareto_line": {"zh": "累计占比", "en": "Cumulative share"},
    "drilldown_pareto_hover": {
        "zh": "扣分 {lost} 分，{k} 条质检被扣分（适用 {n} 条，{rate}）",
        "en": "{lost} points lost; {k} evaluations lost points (of {n} where it applies, {rate})",
    },
    "drilldown_no_pareto": {
        "zh": "该时段没有扣分记录。",
        "en": "No points were lost in this period.",
    },
    # evaluations list
    "drilldown_list_title": {"zh": "质检记录（最新在前）", "en": "Evaluations (newest first)"},
    "drilldown_list_help": {
        "zh": "点击一行打开该条质检记录。",
        "en": "Click a row to open the evaluation.",
    },
    "drilldown_list_range": {
        "zh": "第 {first}–{last} 条，共 {total} 条",
        "en": "{first}–{last} of {total}",
    },
    "drilldown_page": {"zh": "页码", "en": "Page"},
    "drilldown_no_evals": {
        "zh": "该时段没有符合条件的质检记录：在左侧放宽时间段或换一个渠道。",
        "en": "No evaluations match in this period: widen the period or change the channel on the left.",
    },
    "drilldown_pick_eval": {"zh": "或选择一条质检记录", "en": "Or pick an evaluation"},
    "drilldown_pick_eval_ph": {"zh": "选择要打开的质检记录…", "en": "Choose an evaluation to open…"},
    "drilldown_eval_option": {"zh": "{date} · {id} · {score} 分", "en": "{date} · {id} · score {score}"},
    "drilldown_col_date": {"zh": "日期", "en": "Date"},
    "drilldown_col_time": {"zh": "时间", "en": "Time"},
    "drilldown_col_agent": {"zh": "坐席", "en": "Agent"},
    "drilldown_col_team": {"zh": "班组", "en": "Team"},
    "drilldown_col_evaluator": {"zh": "质检员", "en": "Evaluator"},
    "drilldown_col_channel": {"zh": "渠道", "en": "Channel"},
    "drilldown_col_score": {"zh": "得分", "en": "Score"},
    "drilldown_col_critical": {"zh": "致命差错", "en": "Critical error"},
    "drilldown_col_appeal": {"zh": "申诉", "en": "Appeal"},
    "drilldown_col_revised": {"zh": "修订次数", "en": "Revisions"},
    "drilldown_col_id": {"zh": "质检编号", "en": "Evaluation id"},
    "drilldown_appeal_申诉中": {"zh": "申诉中", "en": "appeal pending"},
    "drilldown_appeal_申诉成功": {"zh": "申诉成功", "en": "appeal upheld"},
    "drilldown_appeal_申诉驳回": {"zh": "申诉驳回", "en": "appeal rejected"},
    # evaluation level
    "drilldown_eval_title": {"zh": "质检记录 {id}", "en": "Evaluation {id}"},
    "drilldown_eval_score": {"zh": "得分", "en": "Score"},
    "drilldown_eval_lost": {"zh": "扣分合计", "en": "Points lost"},
    "drilldown_eval_critical": {"zh": "致命差错", "en": "Critical error"},
    "drilldown_eval_appeal": {"zh": "申诉状态", "en": "Appeal"},
    "drilldown_eval_revisions": {"zh": "修订次数", "en": "Revisions"},
    "drilldown_yes": {"zh": "是", "en": "yes"},
    "drilldown_no": {"zh": "否", "en": "no"},
    "drilldown_none": {"zh": "无", "en": "none"},
    "drilldown_eval_facts": {"zh": "基本信息", "en": "Details"},
    "drilldown_fact_when": {"zh": "质检时间", "en": "Evaluated on"},
    "drilldown_fact_agent": {"zh": "坐席", "en": "Agent"},
    "drilldown_fact_team": {"zh": "班组", "en": "Team"},
    "drilldown_fact_evaluator": {"zh": "质检员", "en": "Evaluator"},
    "drilldown_fact_channel": {"zh": "渠道", "en": "Channel"},
    "drilldown_fact_contact": {"zh": "联络编号", "en": "Contact id"},
    "drilldown_fact_batch": {"zh": "来自导入", "en": "Imported in"},
    "drilldown_batch_label": {"zh": "批次 #{batch}（{file}）", "en": "batch #{batch} ({file})"},
    "drilldown_comments": {"zh": "评语", "en": "Comments"},
    "drilldown_no_comments": {"zh": "没有评语。", "en": "No comments."},
    "drilldown_items_title": {"zh": "各扣分项", "en": "Items"},
    "drilldown_items_help": {
        "zh": "扣分从多到少；“不适用”的项不计入满分。",
        "en": "Largest deductions first; items marked not applicable do not count towards the maximum.",
    },
    "drilldown_col_item": {"zh": "扣分项", "en": "Item"},
    "drilldown_col_group": {"zh": "类别", "en": "Group"},
    "drilldown_col_lost": {"zh": "扣分", "en": "Points lost"},
    "drilldown_col_na": {"zh": "不适用", "en": "Not applicable"},
    "drilldown_no_items": {
        "zh": "这条记录没有分项扣分明细（导出表里没有扣分项列）。",
        "en": "This evaluation has no item breakdown (the export had no item columns).",
    },
    "drilldown_history_title": {"zh": "修订记录", "en": "Revision history"},
    "drilldown_no_history": {
        "zh": "这条记录导入后没有被修改过。申诉改分等后来的修改会在这里列出。",
        "en": "This evaluation has not been changed since it was imported. Later changes, such as a score revised "
              "after an appeal, are listed here.",
    },
    "drilldown_history_summary": {
        "zh": "这条记录被修改过 {n} 次。最近一次：得分 {before} → {after}，由批次 #{batch}（{file}）于 {when} 导入。",
        "en": "This evaluation was changed {n} time(s). Latest: score {before} → {after}, by batch #{batch} ({file}) "
              "imported {when}.",
    },
    "drilldown_col_version": {"zh": "版本", "en": "Version"},
    "drilldown_col_score_change": {"zh": "得分变化", "en": "Score"},
    "drilldown_col_critical_change": {"zh": "致命差错", "en": "Critical error"},
    "drilldown_col_appeal_change": {"zh": "申诉状态", "en": "Appeal"},
    "drilldown_col_items_changed": {"zh": "改动的扣分项", "en": "Items changed"},
    "drilldown_col_replaced_by": {"zh": "被哪次导入替换", "en": "Replaced by import"},
    "drilldown_col_replaced_at": {"zh": "替换时间", "en": "Replaced on"},
}
