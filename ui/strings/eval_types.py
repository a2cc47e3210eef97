"""Strings of the Evaluation types page (internal vs external vs customers)."""

STRINGS = {
    "eval_types_title": {"zh": "评价类型对比", "en": "Evaluation types side by side"},
    "eval_types_intro": {
        "zh": "内部质检、各类拨测（质检、领导、第三方暗访）和客户满意度放在一起看：自己人打的分，和外部暗访、客户的感受是否一致？",
        "en": "Internal QA monitoring, call tests (by QA, by the center's leaders, by a mystery shopper) and customer "
              "satisfaction together: does what we say about ourselves match what outsiders and customers say?",
    },
    "eval_types_scale_title": {"zh": "同一把尺子（0–100）", "en": "All on one 0–100 scale"},
    "eval_types_scale_help": {
        "zh": "分数按 0–100 分，合格率和满意率按百分比。实线：内部评价；虚线：外部（第三方暗访）；点线：客户。"
              "空心点：该期样本不足 10 个，波动大，仅供参考。悬停可看样本量。",
        "en": "Scores in points (0–100), pass and satisfaction rates in %. Solid lines: internal evaluation; dashed: "
              "external (mystery shopper); dotted: customers. Hollow points rest on fewer than 10 records and "
              "jump around: read them with care. Hover for the number of records.",
    },
    "eval_types_points": {"zh": "{name}（分）", "en": "{name} (points)"},
    "eval_types_percent": {"zh": "{name}（%）", "en": "{name} (%)"},
    "eval_types_axis": {"zh": "分数 / 百分比（0–100）", "en": "Score / percent (0–100)"},
    "eval_types_hover": {
        "zh": "{name}<br>{period}：{value}<br>样本：{n}<br>95% 区间：{lo} – {hi}",
        "en": "{name}<br>{period}: {value}<br>Records: {n}<br>95% interval: {lo} – {hi}",
    },
    "eval_types_no_data": {
        "zh": "所选时段没有任何评价数据。请放宽左侧的时间段，或在“数据导入”页导入质检、拨测和满意度数据。",
        "en": "There are no evaluations in this period. Widen the period in the sidebar, or import monitoring, "
              "call-test and survey data on the Import page.",
    },
    "eval_types_gap_title": {"zh": "内部说的 vs 外部和客户说的", "en": "What we say vs what outsiders and customers say"},
    "eval_types_gap_help": {
        "zh": "内部质检合格率 = 得分不低于合格线的质检记录占比；外部 = 第三方暗访拨测合格率；客户 = 满意率。差距至少 5 个百分点且超出随机误差（p < 0.05）才标红。",
        "en": "Internal = share of QA evaluations scoring at least the pass mark; external = mystery-shopper call-test "
              "pass rate; customers = satisfaction rate. A gap is marked when it is at least 5 points and larger than "
              "chance (p < 0.05).",
    },
    "eval_types_pass_mark": {"zh": "质检合格线（分）", "en": "QA pass mark (points)"},
    "eval_types_n": {"zh": "样本 {n}", "en": "{n} records"},
    "eval_types_delta": {"zh": "比内部 {gap} 个百分点", "en": "{gap} pts vs internal"},
    "eval_types_no_external": {
        "zh": "所选时段没有第三方暗访拨测，无法衡量内部与外部评价的差距。请在“数据导入”页导入拨测数据，或放宽时间段。",
        "en": "No mystery-shopper call tests in this period, so the gap between internal and external evaluation "
              "cannot be measured. Import call tests on the Import page, or widen the period.",
    },
    "eval_types_gap_kind": {
        "zh": "内部质检合格率 {internal}，第三方暗访合格率只有 {external}，低 {gap} 个百分点，超出随机误差（p {p}，{n} 次暗访）。"
              "内部打分可能偏松，或暗访发现了日常质检没有抽到的问题。",
        "en": "Internal QA passes {internal} of evaluations, the mystery shopper only {external} of test calls: {gap} "
              "points lower, more than chance explains (p {p}, {n} test calls). Internal scoring may be too lenient, "
              "or the test calls find problems the monitored calls miss.",
    },
    "eval_types_gap_strict": {
        "zh": "第三方暗访合格率 {external} 高于内部质检合格率 {internal}（高 {gap} 个百分点，p {p}）：内部打分比外部严格。",
        "en": "The mystery shopper passes {external}, more than internal QA's {internal} ({gap} points, p {p}): "
              "internal scoring is stricter than external.",
    },
    "eval_types_gap_agree": {
        "zh": "内部质检合格率 {internal} 与第三方暗访合格率 {external} 的差距（{gap} 个百分点）在随机误差范围内（{n} 次暗访）：内外评价一致。",
        "en": "Internal QA ({internal}) and the mystery shopper ({external}) agree within chance (a {gap}-point "
              "difference over {n} test calls).",
    },
    "eval_types_cust_flag": {
        "zh": "客户满意率 {customer}，与内部质检合格率相差 {gap} 个百分点，超出随机误差。",
        "en": "Customers are satisfied in {customer} of answers, {gap} points from the internal pass rate — more than "
              "chance explains.",
    },
    "eval_types_cust_agree": {
        "zh": "客户满意率 {customer}，与内部质检合格率的差距（{gap} 个百分点）在正常范围内。",
        "en": "Customers are satisfied in {customer} of answers, within the normal range of the internal pass rate "
              "({gap} points).",
    },
    "eval_types_no_customer": {"zh": "所选时段没有满意度评价。", "en": "No survey answers in this period."},
    "eval_types_period_title": {"zh": "逐期比较", "en": "Period by period"},
    "eval_types_period_help": {
        "zh": "阴影是内部与外部合格率之间的差距；标注的时段差距超出随机误差。",
        "en": "The shading is the gap between the internal and the external pass rate; labelled periods have a gap "
              "larger than chance.",
    },
    "eval_types_gap_label": {"zh": "差 {gap} 个百分点", "en": "gap {gap} pts"},
    "eval_types_team_title": {"zh": "各班组：内部 vs 外部 vs 客户", "en": "By team: internal vs external vs customers"},
    "eval_types_team_help": {
        "zh": "差距单位为百分点。红底：内部明显比外部或客户宽松（差距 ≥ 5 个百分点且超出随机误差）；蓝底：内部明显更严。暗访次数少的班组很难达到显著，请看样本量。{team}",
        "en": "Gaps in percentage points. Red: internal evaluation is clearly kinder than the outsiders or customers (a gap of 5 points or more, "
              "larger than chance); blue: clearly stricter. Teams with few test calls rarely reach significance: "
              "see the counts. {team}",
    },
    "eval_types_team_selected": {"zh": "（已在左侧选中班组 {team}，其所在行加粗。）",
                                 "en": "(Team {team}, chosen in the sidebar, is in bold.)"},
    "eval_types_center": {"zh": "全中心", "en": "Whole center"},
    "eval_types_col_team": {"zh": "班组", "en": "Team"},
    "eval_types_col_qa_mean": {"zh": "质检均分", "en": "QA mean"},
    "eval_types_col_internal": {"zh": "内部合格率", "en": "Internal pass"},
    "eval_types_col_internal_n": {"zh": "质检量", "en": "Evaluations"},
    "eval_types_col_external": {"zh": "暗访合格率", "en": "External pass"},
    "eval_types_col_external_n": {"zh": "暗访次数", "en": "Test calls"},
    "eval_types_col_customer": {"zh": "满意率", "en": "Satisfied"},
    "eval_types_col_customer_n": {"zh": "评价数", "en": "Answers"},
    "eval_types_col_gap_external": {"zh": "内部−暗访", "en": "Int − ext"},
    "eval_types_col_gap_customer": {"zh": "内部−客户", "en": "Int − cust"},
}
