/** Every stored care rule in one statement, as JSON arrays named like CareRules. */
export const LOAD_RULES_SQL = `SELECT
  (SELECT coalesce(json_agg(json_build_object('name', name, 'position', position, 'lane', lane, 'channels', channels,
     'categories', categories, 'keywords', keywords, 'hashtags', hashtags, 'enabled', enabled) ORDER BY position, name), '[]')
     FROM care_lane_rules) AS lanes,
  (SELECT coalesce(json_agg(json_build_object('name', name, 'position', position, 'keywords', keywords, 'hashtags', hashtags)
     ORDER BY position, name), '[]') FROM care_skill_groups) AS "skillGroups",
  (SELECT coalesce(json_agg(json_build_object('name', name, 'categories', categories, 'unlessSkillGroup', unless_skill_group,
     'enabled', enabled) ORDER BY name), '[]') FROM care_filter_rules) AS filters,
  (SELECT coalesce(json_agg(json_build_object('name', name, 'kind', kind, 'team', team, 'threshold', threshold,
     'windowMinutes', window_minutes, 'phrases', phrases, 'enabled', enabled) ORDER BY name), '[]') FROM care_escalation_rules) AS escalations,
  (SELECT coalesce(json_agg(json_build_object('channel', channel, 'tier', tier, 'responseMinutes', response_minutes,
     'businessHours', business_hours) ORDER BY channel, tier NULLS FIRST), '[]') FROM care_sla_targets) AS "slaTargets",
  (SELECT coalesce(json_agg(json_build_object('name', name, 'timeZone', time_zone, 'weekly', weekly) ORDER BY name), '[]')
     FROM care_business_hours) AS "businessHours",
  (SELECT coalesce(json_agg(json_build_object('name', name, 'kind', kind, 'pattern', pattern, 'caseSensitive', case_sensitive,
     'enabled', enabled) ORDER BY name), '[]') FROM pii_patterns) AS "piiPatterns",
  (SELECT coalesce(json_agg(json_build_object('id', id, 'handles', handles, 'keywords', keywords) ORDER BY created_at, id), '[]')
     FROM care_do_not_engage_rules WHERE active) AS "doNotEngage"`;
