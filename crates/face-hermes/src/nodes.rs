//! The seed's four groups of nodes and each group's nodes, parsed from the path once: a
//! handler matches on a variant, never on a string, so a node cannot be misspelt twice.

/// Declares a group's node enum with the seed's name of each node.
macro_rules! nodes {
    ($(#[$doc:meta])* $name:ident { $($(#[$node_doc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$node_doc])* $variant),+
        }

        impl $name {
            /// Every node's name, in the seed's order.
            pub const NAMES: &[&str] = &[$($wire),+];

            /// The node named `name` in the seed, if the group has it.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

nodes!(
    /// `/user/<node>`.
    UserNode {
        /// One user.
        Get = "get",
        /// Every user matching a search.
        List = "list",
        /// Provision a subscriber of Steward's Kamailio.
        AddLocal = "add_local",
        /// Keep an account at another registrar.
        AddRemote = "add_remote",
        /// Remove a user.
        Remove = "remove",
        /// A fresh password, stored nowhere.
        GenPw = "gen_pw",
        /// Set a user's password.
        ChangePw = "change_pw",
        /// Change a user's details.
        Update = "update",
    }
);

nodes!(
    /// `/phone/<node>`.
    PhoneNode {
        /// One phone with its lines.
        Get = "get",
        /// Every phone matching a search.
        List = "list",
        /// Put a user on a phone.
        Add = "add",
        /// Take a user off a phone.
        Remove = "remove",
    }
);

nodes!(
    /// `/numbers/<node>`.
    NumbersNode {
        /// Numbers of the pool.
        List = "list",
        /// A range of numbers into the pool.
        AddRange = "add_range",
        /// One number into the pool.
        Add = "add",
        /// One number out of the pool.
        Remove = "remove",
        /// Whether a number is in the pool.
        InPool = "inpool",
    }
);

nodes!(
    /// `/alias/<node>`.
    AliasNode {
        /// Every alias matching a search.
        List = "list",
        /// The aliases leading to a user.
        User = "user",
        /// Add an alias.
        Add = "add",
        /// Remove an alias.
        Remove = "remove",
    }
);

/// A node of one of the four groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A user node.
    User(UserNode),
    /// A phone node.
    Phone(PhoneNode),
    /// A number pool node.
    Numbers(NumbersNode),
    /// An alias node.
    Alias(AliasNode),
}

/// The seed's four groups, by their path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `/user`.
    User,
    /// `/phone`.
    Phone,
    /// `/numbers`.
    Numbers,
    /// `/alias`.
    Alias,
}

impl Group {
    /// Every group, in the seed's order.
    pub const ALL: [Self; 4] = [Self::User, Self::Phone, Self::Numbers, Self::Alias];

    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Phone => "phone",
            Self::Numbers => "numbers",
            Self::Alias => "alias",
        }
    }

    /// The names of the group's nodes.
    pub fn node_names(self) -> &'static [&'static str] {
        match self {
            Self::User => UserNode::NAMES,
            Self::Phone => PhoneNode::NAMES,
            Self::Numbers => NumbersNode::NAMES,
            Self::Alias => AliasNode::NAMES,
        }
    }

    /// The group's node named `name`, if it has one.
    pub fn node(self, name: &str) -> Option<Node> {
        match self {
            Self::User => UserNode::parse(name).map(Node::User),
            Self::Phone => PhoneNode::parse(name).map(Node::Phone),
            Self::Numbers => NumbersNode::parse(name).map(Node::Numbers),
            Self::Alias => AliasNode::parse(name).map(Node::Alias),
        }
    }
}
