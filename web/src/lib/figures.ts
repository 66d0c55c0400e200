// Formatting of rollup figures for the dashboard.

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return `${(rate * 100).toFixed(1)}%`;
}

export function ratio(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value.toFixed(2);
}

export function money(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
}

const METRICS: Record<string, string> = {
  "activities.held": "开展活动", "children.total": "在册儿童",
  "holiday.children_served": "七彩假期服务儿童", "holiday.goods_value": "七彩假期物资价值（元）", "holiday.money_raised": "七彩假期募集资金（元）",
  "holiday.service_hours": "七彩假期服务时长", "holiday.service_points": "七彩假期服务点", "holiday.volunteers": "七彩假期志愿者人次",
  "homes.below_standard": "未达标快乐家园", "homes.children_served": "快乐家园服务儿童", "homes.sites": "快乐家园", "homes.volunteers": "快乐家园志愿者",
  "pairings.active": "结对中", "pairings.overdue": "结对逾期未联系", "pairings.started": "新结对", "volunteers.registered": "登记志愿者",
  "wishes.claimed": "心愿认领", "wishes.closed": "心愿无法实现", "wishes.collected": "心愿征集", "wishes.delivered": "心愿发放",
  "wishes.escalated": "心愿交上级", "wishes.fulfilled": "心愿圆梦", "wishes.published": "心愿公示",
  "wishes.claimed_value": "认领心愿价值（元）", "wishes.delivered_value": "发放心愿价值（元）", "wishes.children_fulfilled": "圆梦儿童",
  "donors.individuals": "爱心人士", "donors.units": "爱心单位",
  "cases.high_risk": "高风险儿童", "cases.open_incidents": "未处置完毕的事件", "cases.counselling": "心理疏导次数", "cases.aid_paid": "资助金额（元）",
};

/** The Chinese name of a report metric (rollups/metrics.py), with the enum label of a category or arrangement. */
export function metricLabel(metric: string, enumLabel: (e: string, v: string) => string): string {
  if (METRICS[metric]) return METRICS[metric];
  const category = metric.match(/^children\.category\.(\w+)$/);
  if (category) return `儿童：${enumLabel("ChildCategory", category[1])}`;
  const arrangement = metric.match(/^children\.arrangement\.(\w+)$/);
  if (arrangement) return `监护：${enumLabel("GuardianArrangement", arrangement[1])}`;
  const pairing = metric.match(/^pairings\.kind\.(\w+)$/);
  if (pairing) return `结对：${enumLabel("PairingKind", pairing[1])}`;
  const referral = metric.match(/^cases\.referrals\.(\w+)$/);
  if (referral) return `转介：${enumLabel("ReferralStatus", referral[1])}`;
  return metric;
}

const BODY_PREFIX = /^(共青团|中国共产主义青年团)/;
const BODY_SUFFIX = /(团委|团支部|团工委|妇联|关工委|少工委|青联|(?<=[县市区旗])委)$/;

/** A division's place name from the bodies that serve it (共青团保康县委 and 保康县妇联: 保康县), for the cross-system
 * breakdown whose rows are keyed by division code; the code itself when nothing better is known. */
export function divisionName(code: string, organizationNames: readonly string[]): string {
  const places = organizationNames.map((n) => n.replace(BODY_PREFIX, "").replace(BODY_SUFFIX, "")).filter(Boolean);
  if (!places.length) return code;
  let common = places[0];
  for (const p of places.slice(1)) {
    let i = 0;
    while (i < common.length && i < p.length && common[i] === p[i]) i++;
    common = common.slice(0, i);
  }
  return common.length >= 2 ? common : places[0];
}
