"""Strings of the Indicator system page (pages/indicators.py)."""

STRINGS = {
    "ind_title": {"zh": "指标体系", "en": "Indicator system"},
    "ind_period": {"zh": "{period} · {team}", "en": "{period} · {team}"},
    # --- the model file -------------------------------------------------------------------
    "ind_model_error": {
        "zh": "指标体系文件 {path} 有错误，无法使用。请按下面的提示修改该文件（或从备份恢复）后刷新页面：",
        "en": "The indicator model file {path} has errors and cannot be used. Fix the file as listed below "
              "(or restore it from a backup), then reload the page:",
    },
    "ind_model_missing": {
        "zh": "找不到指标体系文件 {path}。请把 data/indicator_model.toml 放回原处，或用环境变量 "
              "QA_INDICATOR_MODEL 指向它。",
        "en": "No indicator model file at {path}. Put data/indicator_model.toml back, or point the "
              "QA_INDICATOR_MODEL environment variable at the file.",
    },
    # --- version in force -----------------------------------------------------------------
    "ind_as_of": {"zh": "用哪个版本计分", "en": "Score this period under"},
    "ind_as_of_period": {"zh": "当时生效的版本：{name}（{date} 起）",
                         "en": "the model in force then: {name} (from {date})"},
    "ind_as_of_today": {"zh": "今天的版本：{name}（{date} 起）", "en": "today's model: {name} (from {date})"},
    "ind_as_of_help": {
        "zh": "“当时生效的版本”按这段时间开始时有效的指标体系计分；“今天的版本”用现行体系重算过去的时段，便于前后对比。",
        "en": "“In force then” scores the period under the model valid on its first day; “today's” rescores "
              "the past under the current model, for like-for-like comparisons.",
    },
    "ind_in_force": {
        "zh": "本期按 **{name}** 计分（{date} 起生效）。",
        "en": "This period is scored under **{name}** (in force from {date}).",
    },
    "ind_same_version": {"zh": "（与今天的版本相同）", "en": "(the same as today's)"},
    "ind_change_inside": {
        "zh": "注意：{date} 起另有新版本“{name}”生效，但整个时段统一按时段第一天生效的版本计分。",
        "en": "Note: version “{name}” takes effect on {date}, inside this period; the whole period is scored "
              "under the version in force on its first day.",
    },
    "ind_versions": {"zh": "文件中的所有版本（{n} 个）", "en": "All versions on file ({n})"},
    "ind_col_from": {"zh": "生效日期", "en": "In force from"},
    "ind_col_version": {"zh": "版本名称", "en": "Version"},
    "ind_col_note": {"zh": "说明", "en": "Note"},
    "ind_col_used": {"zh": "本期使用", "en": "Used now"},
    "ind_unnamed": {"zh": "未命名版本", "en": "unnamed version"},
    # --- headline -------------------------------------------------------------------------
    "ind_index": {"zh": "服务质量综合指数", "en": "Service quality index"},
    "ind_index_help": {"zh": "0–100 分：100 表示所有指标都达到目标。", "en": "0–100: 100 means every indicator meets its target."},
    "ind_coverage": {"zh": "有数据的权重占比", "en": "Weight backed by data"},
    "ind_coverage_help": {
        "zh": "没有数据的指标不参与计算，其权重按比例分给同级的其他指标。",
        "en": "Indicators without data are left out; their weight is shared among their siblings.",
    },
    "ind_obs": {"zh": "样本量", "en": "Observations"},
    "ind_weakest": {"zh": "得分最低的领域", "en": "Weakest area"},
    "ind_no_data": {
        "zh": "这段时间（{team}）没有可计分的数据。请在“数据导入”页导入质检、拨测、满意度或系统检查导出表，"
              "或在左侧选择更长的时间段。下面仍可查看和修改指标体系。",
        "en": "No data to score in this period ({team}). Import monitoring, call-test, survey or system-check "
              "exports on the Import page, or choose a longer period on the left. You can still review and "
              "edit the model below.",
    },
    "ind_missing_data": {
        "zh": "以下指标本期没有数据，未参与计分：{names}",
        "en": "No data this period for: {names} (left out of the score)",
    },
    # --- tree chart -----------------------------------------------------------------------
    "ind_tree": {"zh": "指标树：面积 = 权重，颜色 = 得分", "en": "Indicator tree: size = weight, colour = score"},
    "ind_tree_note": {
        "zh": "点击方块可放大该部分，点击顶部路径返回。✓ 表示已达到目标；灰色表示没有数据。",
        "en": "Click a box to zoom into it, click the path at the top to go back. ✓ = target met; grey = no data.",
    },
    "ind_scale_floor": {"zh": "0 底线", "en": "0 floor"},
    "ind_scale_target": {"zh": "100 目标", "en": "100 target"},
    "ind_score_axis": {"zh": "得分", "en": "Score"},
    "ind_hover_score": {"zh": "得分", "en": "Score"},
    "ind_hover_weight": {"zh": "权重", "en": "Weight"},
    "ind_hover_share": {"zh": "占综合指数", "en": "Share of the index"},
    "ind_hover_value": {"zh": "实际值", "en": "Value"},
    "ind_hover_target": {"zh": "目标", "en": "Target"},
    "ind_hover_floor": {"zh": "底线", "en": "Floor"},
    "ind_lowest": {"zh": "得分最低的指标", "en": "Lowest-scoring indicators"},
    "ind_lowest_line": {
        "zh": "**{name}**：{score} 分（实际 {value}，目标 {target}，底线 {floor}）",
        "en": "**{name}**: {score} (value {value}, target {target}, floor {floor})",
    },
    "ind_all_met": {"zh": "所有指标都达到了目标。", "en": "Every indicator meets its target."},
    # --- table ----------------------------------------------------------------------------
    "ind_table": {"zh": "指标明细", "en": "Indicator details"},
    "ind_col_node": {"zh": "指标", "en": "Indicator"},
    "ind_col_level": {"zh": "层级", "en": "Level"},
    "ind_col_weight": {"zh": "权重", "en": "Weight"},
    "ind_col_share": {"zh": "占综合指数", "en": "Share of index"},
    "ind_col_metric": {"zh": "数据口径", "en": "Metric"},
    "ind_col_value": {"zh": "实际值", "en": "Value"},
    "ind_col_target": {"zh": "目标值", "en": "Target"},
    "ind_col_floor": {"zh": "底线", "en": "Floor"},
    "ind_col_score": {"zh": "得分", "en": "Score"},
    "ind_col_n": {"zh": "样本量", "en": "n"},
    "ind_weight_help": {"zh": "占上一级的百分比", "en": "Percent of the level above"},
    "ind_share_help": {"zh": "占综合指数的百分比", "en": "Percent of the composite index"},
    "ind_kind_index": {"zh": "综合指数", "en": "Index"},
    "ind_kind_area": {"zh": "领域", "en": "Area"},
    "ind_kind_indicator": {"zh": "指标", "en": "Indicator"},
    "ind_kind_item": {"zh": "扣分项", "en": "Item"},
    "ind_table_note": {
        "zh": "权重是占上一级的百分比；上级得分是下级得分的加权平均。扣分项的实际值是每次质检平均扣分，越低越好。",
        "en": "Weights are percent of the level above; a parent's score is the weighted mean of its children's. "
              "A deduction item's value is the mean points lost per evaluation: lower is better.",
    },
    # --- editing --------------------------------------------------------------------------
    "ind_edit": {"zh": "调整目标值、底线和权重", "en": "Adjust targets, floors and weights"},
    "ind_edit_intro": {
        "zh": "修改只保存在草稿里，下面会先显示对综合指数和班组排名的影响；确认后再“保存为新版本”。草稿基于 **{name}**。",
        "en": "Changes stay in a draft: their effect on the index and on the team ranking shows below before "
              "anything is saved. Then “Save as a new version”. The draft starts from **{name}**.",
    },
    "ind_group": {"zh": "要调整的部分", "en": "Part of the model to adjust"},
    "ind_group_root": {"zh": "各领域在综合指数中的权重", "en": "The areas and their weights in the index"},
    "ind_group_area": {"zh": "“{name}”下的指标", "en": "Indicators of “{name}”"},
    "ind_group_items": {"zh": "“{name}”下的扣分项", "en": "Items of “{name}”"},
    "ind_ed_name": {"zh": "名称", "en": "Name"},
    "ind_ed_weight": {"zh": "权重 %", "en": "Weight %"},
    "ind_ed_target": {"zh": "目标值", "en": "Target"},
    "ind_ed_floor": {"zh": "底线", "en": "Floor"},
    "ind_ed_now": {"zh": "本期实际", "en": "This period"},
    "ind_ed_inner": {"zh": "由下级计分", "en": "scored from its children"},
    "ind_ed_now_line": {"zh": "{value} · {score} 分", "en": "{value} · score {score}"},
    "ind_ed_lower": {"zh": "越低越好", "en": "lower is better"},
    "ind_ed_higher": {"zh": "越高越好", "en": "higher is better"},
    "ind_ed_unit_pct": {"zh": "单位：%", "en": "in %"},
    "ind_ed_sum": {"zh": "权重合计：{total}%", "en": "Weights add up to {total}%"},
    "ind_ed_sum_bad": {"zh": "权重合计：{total}%（应为 100%）", "en": "Weights add up to {total}% (must be 100%)"},
    "ind_problems": {"zh": "草稿有问题，改好后才能保存：", "en": "The draft has problems; fix them to save:"},
    "ind_renorm_keep": {
        "zh": "重新归一：保持“{name}”为 {weight}%，其余按比例调整",
        "en": "Renormalise: keep “{name}” at {weight}%, scale the others",
    },
    "ind_renorm_root": {"zh": "重新归一：按比例调整各领域权重到 100%", "en": "Renormalise: scale the areas' weights to 100%"},
    "ind_renorm": {"zh": "重新归一：按比例调整“{name}”下的权重到 100%",
                   "en": "Renormalise: scale the weights under “{name}” to 100%"},
    "ind_effect": {"zh": "草稿的影响（本期）", "en": "Effect of the draft (this period)"},
    "ind_no_changes": {
        "zh": "草稿还没有修改。在上面改一个权重、目标值或底线，这里会显示综合指数和班组排名的变化。",
        "en": "No changes yet. Change a weight, target or floor above to see how the index and the team "
              "ranking move.",
    },
    "ind_changes": {"zh": "草稿改动：", "en": "What the draft changes:"},
    "ind_change_weight": {"zh": "权重 {old}% → {new}%", "en": "weight {old}% → {new}%"},
    "ind_change_target": {"zh": "目标值 {old} → {new}", "en": "target {old} → {new}"},
    "ind_change_floor": {"zh": "底线 {old} → {new}", "en": "floor {old} → {new}"},
    "ind_index_now": {"zh": "当前综合指数", "en": "Index now"},
    "ind_index_draft": {"zh": "按草稿的综合指数", "en": "Index with the draft"},
    "ind_fix_first": {"zh": "先修正上面的问题", "en": "fix the problems above first"},
    "ind_rank_title": {"zh": "按草稿的班组排名", "en": "Team ranking under the draft"},
    "ind_col_team": {"zh": "班组", "en": "Team"},
    "ind_col_idx_now": {"zh": "现指数", "en": "Index now"},
    "ind_col_idx_draft": {"zh": "草稿指数", "en": "Index (draft)"},
    "ind_col_rank_now": {"zh": "现排名", "en": "Rank now"},
    "ind_col_rank_draft": {"zh": "草稿排名", "en": "Rank (draft)"},
    "ind_col_moved": {"zh": "名次变化", "en": "Places moved"},
    "ind_moved_up": {"zh": "↑ 升 {n} 位", "en": "↑ up {n}"},
    "ind_moved_down": {"zh": "↓ 降 {n} 位", "en": "↓ down {n}"},
    "ind_moved_none": {"zh": "不变", "en": "same"},
    "ind_rank_same": {"zh": "班组名次不变。", "en": "No team changes place."},
    "ind_rank_moves": {"zh": "{n} 个班组名次变化。", "en": "{n} teams change place."},
    "ind_rank_empty": {"zh": "本期没有班组数据，无法排名。", "en": "No team data in this period to rank."},
    "ind_save_title": {"zh": "保存为新版本", "en": "Save as a new version"},
    "ind_eff_from": {"zh": "新版本生效日期", "en": "New version in force from"},
    "ind_eff_help": {
        "zh": "此日期之前的时段仍按当时的版本计分；旧版本会保留在文件中。",
        "en": "Periods before this date keep the version in force then; older versions stay in the file.",
    },
    "ind_version_name": {"zh": "版本名称", "en": "Version name"},
    "ind_version_default": {"zh": "{date} 调整版", "en": "Revision of {date}"},
    "ind_version_note": {"zh": "调整说明（可选）", "en": "What changed (optional)"},
    "ind_replaces": {
        "zh": "{date} 已有版本“{name}”，保存将替换它。",
        "en": "A version “{name}” already takes effect on {date}: saving replaces it.",
    },
    "ind_save": {"zh": "保存为新版本", "en": "Save as a new version"},
    "ind_discard": {"zh": "放弃草稿", "en": "Discard the draft"},
    "ind_save_disabled_changes": {"zh": "草稿没有修改，无需保存。", "en": "Nothing to save: the draft has no changes."},
    "ind_save_disabled_issues": {"zh": "草稿有问题（见上），改好后才能保存。",
                                 "en": "The draft has problems (see above); fix them to save."},
    "ind_saved": {
        "zh": "已保存“{name}”，{date} 起生效（文件：{path}）。之前的时段仍按当时的版本计分；选“今天的版本”可用它重算本期。",
        "en": "Saved “{name}”, in force from {date} (file: {path}). Earlier periods keep the version in force "
              "then; choose “today's model” above to rescore this period under it.",
    },
    "ind_save_failed": {"zh": "保存失败：{error}", "en": "Could not save: {error}"},
    "ind_discarded": {"zh": "已放弃草稿。", "en": "The draft was discarded."},
    # --- sensitivity ----------------------------------------------------------------------
    "ind_sens": {"zh": "排名稳健性：{half} 权重各变动 ±10%", "en": "How robust is the ranking? {half}, each weight ±10%"},
    "ind_sens_intro": {
        "zh": "逐个把每项权重调高或调低 10%（同级其他权重按比例补足），看班组的半年度排名变化多少。",
        "en": "Each weight in turn is moved up or down by 10% (its siblings rescaled to keep 100%), and we look "
              "at how much the teams' half-year ranking moves.",
    },
    "ind_sens_robust0": {
        "zh": "排名很稳健：任何一项权重变动 ±10%，{units} 个班组的名次都不变。",
        "en": "The ranking is robust: moving any weight by ±10% changes no team's place ({units} teams).",
    },
    "ind_sens_robust1": {
        "zh": "排名很稳健：任何一项权重变动 ±10%，没有班组的名次变化超过 1 位（共 {units} 个班组）。",
        "en": "The ranking is robust: no team moves more than one place when any weight moves ±10% "
              "({units} teams).",
    },
    "ind_sens_most": {
        "zh": "影响最大的是“{name}”的权重：{dir} 10% 时，{team}的名次变化 1 位。",
        "en": "The weight that matters most is “{name}”: moving it {dir}10% moves {team} by one place.",
    },
    "ind_sens_fragile": {
        "zh": "排名对“{name}”的权重最敏感：{dir} 10% 时，{team}的名次变化 {n} 位。共有 {k} 项权重会使某个班组变化 2 位以上，"
              "相邻名次的差距不宜过度解读。",
        "en": "The ranking is most sensitive to the weight of “{name}”: moving it {dir}10% moves {team} by {n} "
              "places. {k} weights move some team by two places or more, so do not over-read neighbouring places.",
    },
    "ind_sens_up": {"zh": "上调", "en": "up "},
    "ind_sens_down": {"zh": "下调", "en": "down "},
    "ind_sens_axis": {"zh": "名次最大变化（位）", "en": "Largest change of a team's place"},
    "ind_sens_plus": {"zh": "权重 +10%", "en": "weight +10%"},
    "ind_sens_minus": {"zh": "权重 −10%", "en": "weight −10%"},
    "ind_sens_others": {"zh": "其余 {n} 项权重变动 ±10% 不改变任何名次。",
                        "en": "The other {n} weights change no place when moved ±10%."},
    "ind_sens_empty": {
        "zh": "{half} 没有足够的班组数据（至少需要 2 个有指数的班组）。请导入该半年的数据，或选择其他时间段。",
        "en": "Not enough team data in {half} (at least 2 teams with an index). Import that half-year's data "
              "or choose another period.",
    },
    "ind_sens_table": {"zh": "所有权重的结果", "en": "Every weight"},
    "ind_col_change": {"zh": "变动", "en": "Change"},
    "ind_col_max_move": {"zh": "名次最大变化", "en": "Largest move"},
    "ind_col_most_moved": {"zh": "变化最大的班组", "en": "Team that moves most"},
    "ind_col_rho": {"zh": "排名相关系数", "en": "Rank correlation"},
    "ind_rho_help": {"zh": "斯皮尔曼相关：1 表示排名完全不变", "en": "Spearman's rho: 1 = the same order"},
    "ind_hover_team": {"zh": "变化最大", "en": "Moves most"},
}
