//! Index expressions as the comparison sees them. PostgreSQL reads an
//! expression back in its own words (`lower(name)` becomes
//! `lower((name)::text)`), so casts, quotes, case, spaces and parentheses
//! around a single name are left out on both sides before they are
//! compared.

/// The comparable form of one index column: a plain column name is kept
/// as it is (names can differ by case), an expression is normalised.
pub fn index_column_key(column: &str) -> String {
    if !column.contains(['(', ':', ' ', '"']) {
        return column.to_owned();
    }
    let text: String = column
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .flat_map(char::to_lowercase)
        .collect();
    unwrap_single_names(&drop_casts(&text))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// `x::text`, `x::charactervarying(255)`, `x::text[]` → `x`.
fn drop_casts(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        if chars[at] == ':' && chars.get(at + 1) == Some(&':') {
            let mut end = at + 2;
            while end < chars.len() && is_name_char(chars[end]) {
                end += 1;
            }
            if chars.get(end) == Some(&'(') {
                let mut close = end + 1;
                while close < chars.len() && (chars[close].is_ascii_digit() || chars[close] == ',')
                {
                    close += 1;
                }
                if chars.get(close) == Some(&')') {
                    end = close + 1;
                }
            }
            if chars.get(end) == Some(&'[') && chars.get(end + 1) == Some(&']') {
                end += 2;
            }
            at = end;
            continue;
        }
        out.push(chars[at]);
        at += 1;
    }
    out
}

/// `(name)` that is not a call's argument list → `name`, repeatedly.
fn unwrap_single_names(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        let mut changed = false;
        let mut at = 0;
        while at < chars.len() {
            let opens_group = chars[at] == '('
                && (at == 0 || !(chars[at - 1].is_alphanumeric() || chars[at - 1] == '_'));
            if opens_group {
                let mut end = at + 1;
                while end < chars.len() && is_name_char(chars[end]) {
                    end += 1;
                }
                if end > at + 1 && chars.get(end) == Some(&')') {
                    chars.remove(end);
                    chars.remove(at);
                    changed = true;
                    continue;
                }
            }
            at += 1;
        }
        if !changed {
            return chars.into_iter().collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::index_column_key;

    #[test]
    fn postgresql_reads_expressions_back_in_its_own_words() {
        assert_eq!(
            index_column_key("lower((name)::text)"),
            index_column_key("lower(name)")
        );
        assert_eq!(
            index_column_key("lower((email)::character varying(255))"),
            index_column_key("LOWER(email)")
        );
        assert_eq!(
            index_column_key("coalesce(a, (0)::bigint)"),
            index_column_key("coalesce(a, 0)")
        );
        assert_eq!(index_column_key("(\"Name\")"), "name");
    }

    #[test]
    fn different_expressions_and_plain_names_stay_apart() {
        assert_ne!(
            index_column_key("lower((name)::text)"),
            index_column_key("upper(name)")
        );
        assert_ne!(
            index_column_key("lower(name)"),
            index_column_key("lower(title)")
        );
        // A plain column name keeps its case.
        assert_eq!(index_column_key("Name"), "Name");
    }
}
